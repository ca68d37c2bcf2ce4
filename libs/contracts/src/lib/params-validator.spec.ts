import { ParamsValidator } from './params-validator';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['width'],
  properties: {
    width: { type: 'integer', minimum: 1 },
    fit: { type: 'string', enum: ['cover', 'contain'], default: 'cover' },
    regions: { type: 'array', items: { type: 'object', properties: { x: { type: 'number' } } } },
  },
};

describe('ParamsValidator', () => {
  const validator = new ParamsValidator();

  it('fills defaults into valid parameters', () => {
    const params: Record<string, unknown> = { width: 10 };
    expect(validator.validate(schema, params)).toEqual([]);
    expect(params).toEqual({ width: 10, fit: 'cover' });
  });

  it('answers every problem with its path', () => {
    const problems = validator.validate(schema, { fit: 'stretch', colour: 'red', regions: [{ x: 'a' }] }, 'steps[0].params');
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'steps[0].params.width', message: '"width" is required' },
        { path: 'steps[0].params.colour', message: 'unknown parameter "colour"' },
        { path: 'steps[0].params.fit', message: 'must be one of "cover", "contain"' },
        { path: 'steps[0].params.regions[0].x', message: 'must be number' },
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('reports a schema that is not JSON Schema', () => {
    expect(validator.schemaProblems({ type: 'nonsense' }, 'params')[0].path).toBe('params');
    expect(validator.schemaProblems({ type: 'object' }, 'params')).toEqual([]);
  });

  it('compiles a schema read again (a new object with the same content) only once', () => {
    const fresh = new ParamsValidator();
    const first = fresh.compile(JSON.parse(JSON.stringify(schema)));
    for (let i = 0; i < 1000; i++) expect(fresh.compile(JSON.parse(JSON.stringify(schema)))).toBe(first);
    expect(fresh.cachedSchemas).toBe(1);
  });

  it('keeps at most its limit of distinct schemas, the least recently used going first', () => {
    const small = new ParamsValidator(10);
    const numbered = (n: number) => ({ type: 'object', properties: { [`p${n}`]: { type: 'integer' } } });
    const kept = small.compile(numbered(0));
    for (let n = 1; n < 100; n++) {
      small.compile(numbered(n));
      small.compile(numbered(0)); // used again each time, so never the oldest
    }
    expect(small.cachedSchemas).toBe(10);
    expect(small.compile(numbered(0))).toBe(kept);
    expect(small.validate(numbered(5), { p5: 'x' })).toEqual([{ path: 'params.p5', message: 'must be integer' }]);
  });
});
