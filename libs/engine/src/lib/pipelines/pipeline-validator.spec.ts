import { ParamsValidator, PipelineDefinition, ServiceDescriptor } from '@aim/contracts';
import { PipelineExpressions } from './pipeline-expressions';
import { PipelineValidator } from './pipeline-validator';

const images = ['image/jpeg', 'image/png', 'image/webp'];
const vision: ServiceDescriptor = {
  name: 'vision',
  version: '1',
  summary: '',
  tags: [],
  usesAi: true,
  tasks: [
    { name: 'detect', summary: '', inputs: [{ name: 'image', contentTypes: images }], params: { type: 'object', additionalProperties: false, properties: {} }, outputs: [{ name: 'faces', contentType: 'application/json' }] },
    {
      name: 'blur',
      summary: '',
      inputs: [{ name: 'image', contentTypes: images }],
      params: { type: 'object', additionalProperties: false, required: ['sigma'], properties: { sigma: { type: 'number', minimum: 1 }, regions: { type: 'array' } } },
      outputs: [{ name: 'image', contentType: 'image/*' }],
    },
    { name: 'crop', summary: '', inputs: [{ name: 'image', contentTypes: images }], params: { type: 'object' }, outputs: [{ name: 'image', contentType: 'image/*' }] },
    { name: 'read', summary: '', inputs: [{ name: 'image', contentTypes: ['image/png'] }], params: { type: 'object' }, outputs: [{ name: 'text', contentType: 'application/json' }] },
  ],
};

function anonymise(): PipelineDefinition {
  return {
    id: 'anonymise',
    name: 'anonymise',
    inputs: { image: { contentTypes: images } },
    steps: [
      { id: 'detect', service: 'vision', task: 'detect', inputs: { image: 'inputs.image' } },
      { id: 'blur', service: 'vision', task: 'blur', inputs: { image: 'inputs.image' }, params: { sigma: 5 }, bind: { regions: 'detect.faces.box' }, when: '$count(detect.faces) > 0' },
    ],
    outputs: { image: 'blur.image' },
  };
}

describe('PipelineValidator', () => {
  const validator = new PipelineValidator(new ParamsValidator(), new PipelineExpressions());
  const catalog = (name: string) => (name === 'vision' ? vision : undefined);
  const problemsOf = (definition: unknown) => validator.validate(definition, catalog);

  it('accepts a valid pipeline', () => {
    expect(problemsOf(anonymise())).toEqual([]);
  });

  it('answers shape problems with their paths before anything else', () => {
    expect(problemsOf({ id: '1 bad id', name: 'x', inputs: {}, steps: [], outputs: {}, colour: 'red' })).toEqual(
      expect.arrayContaining([
        { path: 'colour', message: 'unknown parameter "colour"' },
        expect.objectContaining({ path: 'id' }),
        expect.objectContaining({ path: 'steps' }),
      ]),
    );
  });

  it('finds every problem at once: unknown service and task, missing and wrong references, types, params, cycle', () => {
    const definition = anonymise();
    definition.steps.push(
      { id: 'ghost', service: 'nowhere', task: 'x', inputs: { image: 'inputs.image' } },
      { id: 'typo', service: 'vision', task: 'blurr', inputs: { image: 'inputs.image' } },
      { id: 'read', service: 'vision', task: 'read', inputs: { image: 'inputs.image' } },
      { id: 'chain', service: 'vision', task: 'blur', inputs: { image: 'detect.faces' }, params: { sigma: 0, strength: 2 } },
      { id: 'lost', service: 'vision', task: 'crop', inputs: { image: 'nothing.image', extra: 'inputs.photo' } },
      { id: 'a', service: 'vision', task: 'crop', inputs: { image: 'b.image' } },
      { id: 'b', service: 'vision', task: 'crop', inputs: { image: 'a.image' }, when: 'item.x > 1' },
    );
    definition.outputs['missing'] = 'blur.pixels';
    const problems = problemsOf(definition);
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'steps[2].service', message: 'unknown service "nowhere"' },
        { path: 'steps[3].task', message: 'service "vision" has no task "blurr" (it has detect, blur, crop, read)' },
        { path: 'steps[4].inputs.image', message: 'content type mismatch: inputs.image may be image/jpeg, image/webp, but read.image accepts image/png' },
        { path: 'steps[5].inputs.image', message: 'content type mismatch: detect.faces is application/json, but blur.image accepts image/jpeg, image/png, image/webp' },
        { path: 'steps[5].params.sigma', message: 'must be >= 1' },
        { path: 'steps[5].params.strength', message: 'unknown parameter "strength"' },
        { path: 'steps[6].inputs.image', message: '"nothing.image" refers to a step "nothing" that does not exist' },
        { path: 'steps[6].inputs.extra', message: 'task "crop" has no input "extra"' },
        { path: 'steps[8].when', message: '"item" is only defined in a step with forEach' },
        { path: 'outputs.missing', message: 'step "blur" (blur) has no output "pixels"; it has image' },
        { path: 'steps', message: 'the steps form a cycle: a → b → a' },
      ]),
    );
    expect(problems).toHaveLength(11);
  });

  it('checks expressions: syntax, unknown names, and for-each lists fed to single inputs', () => {
    const definition = anonymise();
    definition.steps[1].when = '$count(detect.faces >';
    definition.steps.push(
      { id: 'crop', service: 'vision', task: 'crop', inputs: { image: 'inputs.image' }, forEach: 'detect.faces', bind: { region: 'item.box' } },
      { id: 'again', service: 'vision', task: 'crop', inputs: { image: 'crop.image' }, bind: { region: 'elsewhere.box' } },
    );
    const problems = problemsOf(definition);
    expect(problems).toContainEqual({ path: 'steps[1].when', message: expect.stringContaining('not a valid expression') });
    expect(problems).toContainEqual({ path: 'steps[3].inputs.image', message: expect.stringContaining('is a list (step "crop" runs for each item)') });
    expect(problems).toContainEqual({ path: 'steps[3].bind.region', message: '"elsewhere" is neither a step nor one of inputs, params, item, index' });
  });

  it('lets bound parameters satisfy required ones but not unknown ones', () => {
    const definition = anonymise();
    definition.steps[1].params = {};
    definition.steps[1].bind = { sigma: '3', depth: '1' };
    expect(problemsOf(definition)).toEqual([{ path: 'steps[1].bind.depth', message: 'task "blur" has no parameter "depth"' }]);
  });
});
