import { PipelineExpressions } from './pipeline-expressions';

describe('PipelineExpressions', () => {
  const expressions = new PipelineExpressions();

  it('evaluates conditions and lists against a job context', async () => {
    const context = { detect: { faces: [{ box: { x: 1 } }, { box: { x: 2 } }] }, params: { min: 1 } };
    expect(await expressions.evaluate('$count(detect.faces) > params.min', context)).toBe(true);
    expect(await expressions.evaluate('detect.faces.box.x', context)).toEqual([1, 2]);
  });

  it('finds the names an expression reads, not the fields below them or lambda variables', () => {
    expect([...expressions.rootNames('$count(detect.faces) > 0 and params.x = 1')].sort()).toEqual(['detect', 'params']);
    expect([...expressions.rootNames('item')]).toEqual(['item']);
    expect([...expressions.rootNames('$map(detect.faces, function($f, $i) { {"l": analyse[$i].age} })')].sort()).toEqual([
      'analyse',
      'detect',
    ]);
  });

  it('answers a syntax error with its position and sees nothing of the process', async () => {
    expect(() => expressions.compile('a +')).toThrow(/at character 3/);
    expect(await expressions.evaluate('constructor', {})).toBeUndefined();
    expect(await expressions.evaluate('$eval("process.env")', {})).toBeUndefined();
    expect(await expressions.evaluate('require', {})).toBeUndefined();
  });
});
