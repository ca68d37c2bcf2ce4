import type { PipelineDefinition } from '@aim/contracts';
import { applyReference, referenceSpotAt, referenceSuggestions, TaskPorts } from './reference-completion';

const PORTS: TaskPorts = new Map([
  ['face-detection.detect', { inputs: ['image'], outputs: ['faces'] }],
  ['image-processing.blur', { inputs: ['image'], outputs: ['image'] }],
  ['image-processing.resize', { inputs: ['image'], outputs: ['image'] }],
]);

const DEFINITION: PipelineDefinition = {
  id: 'p',
  name: 'P',
  inputs: { image: { contentTypes: ['image/jpeg'] }, mask: { contentTypes: ['image/png'] } },
  steps: [
    { id: 'detect', service: 'face-detection', task: 'detect', inputs: { image: 'inputs.image' } },
    { id: 'blur', service: 'image-processing', task: 'blur', inputs: { image: 'detect.faces' } },
    { id: 'small', service: 'image-processing', task: 'resize', inputs: { image: 'blur.image' } },
  ],
  outputs: { image: 'small.image' },
};

/** The text with `|` taken out, and where it was: the caret. */
function at(marked: string): { text: string; caret: number } {
  return { text: marked.replace('|', ''), caret: marked.indexOf('|') };
}

describe('referenceSpotAt', () => {
  const pretty = JSON.stringify(DEFINITION, null, 2);

  it("finds the caret in a step's input, with the step, the input and what is typed", () => {
    const { text, caret } = at(pretty.replace('"image": "blur.image"', '"image": "bl|ur.image"'));
    const spot = referenceSpotAt(text, caret);
    expect(spot).toMatchObject({ step: 2, name: 'image', typed: 'bl', closed: true });
    expect(text.slice(spot!.start, spot!.end)).toBe('blur.image');
  });

  it("finds the caret in one of the pipeline's outputs", () => {
    const { text, caret } = at(pretty.replace('"image": "small.image"', '"image": "sm|all.image"'));
    const spot = referenceSpotAt(text, caret);
    expect(spot).toMatchObject({ name: 'image', typed: 'sm' });
    expect(spot!.step).toBeUndefined();
  });

  it('reads a string still being typed: no closing quote, nothing valid after it', () => {
    const { text, caret } = at('{"steps": [{"id": "a"}, {"id": "b", "inputs": {"image": "a.|\n');
    expect(referenceSpotAt(text, caret)).toMatchObject({ step: 1, name: 'image', typed: 'a.', closed: false });
  });

  it('offers nothing in a key, in other values, or outside strings', () => {
    for (const marked of [
      pretty.replace('"inputs": {\n        "image": "inputs.image"', '"inputs": {\n        "im|age": "inputs.image"'),
      pretty.replace('"service": "face-detection"', '"service": "face-|detection"'),
      pretty.replace('"name": "P"', '"name": "|P"'),
      pretty.replace('"steps": [', '"steps": |['),
      '{"outputs": {"x": 1|}}',
    ]) {
      const { text, caret } = at(marked);
      expect([marked, referenceSpotAt(text, caret)]).toEqual([marked, undefined]);
    }
  });

  it('counts steps past nested objects and escaped quotes', () => {
    const { text, caret } = at('{"steps": [{"id": "a", "params": {"x": [1, 2], "s": "q\\"," }}, {"id": "b", "inputs": {"image": "|"}}]}');
    expect(referenceSpotAt(text, caret)).toMatchObject({ step: 1, name: 'image', typed: '' });
  });
});

describe('referenceSuggestions', () => {
  const spot = (step: number | undefined, typed = '', name = 'image') => ({ step, name, typed, start: 0, end: 0, closed: true });

  it("offers the pipeline's inputs and the outputs of earlier steps only, same name first", () => {
    expect(referenceSuggestions(DEFINITION, spot(2), PORTS)).toEqual(['inputs.image', 'blur.image', 'inputs.mask', 'detect.faces']);
    expect(referenceSuggestions(DEFINITION, spot(0), PORTS)).toEqual(['inputs.image', 'inputs.mask']);
  });

  it('keeps those that start with what is typed, and not the one already there', () => {
    expect(referenceSuggestions(DEFINITION, spot(2, 'de'), PORTS)).toEqual(['detect.faces']);
    expect(referenceSuggestions(DEFINITION, spot(2, 'detect.faces'), PORTS)).toEqual([]);
  });

  it("offers every step's outputs, and no input, for a pipeline output", () => {
    expect(referenceSuggestions(DEFINITION, spot(undefined), PORTS)).toEqual(['blur.image', 'small.image', 'detect.faces']);
  });

  it('skips steps of unknown tasks and survives a definition without steps', () => {
    const unknown = { ...DEFINITION, steps: [{ id: 'x', service: 'nope', task: 'nope', inputs: {} }, ...DEFINITION.steps] };
    expect(referenceSuggestions(unknown, spot(2), PORTS)).toEqual(['inputs.image', 'inputs.mask', 'detect.faces']);
    expect(referenceSuggestions({ inputs: { image: { contentTypes: [] } } }, spot(0), PORTS)).toEqual(['inputs.image']);
  });
});

describe('applyReference', () => {
  it('replaces the whole string, keeps its closing quote, and puts the caret after it', () => {
    const { text, caret } = at('{"outputs": {"image": "sm|al"}}');
    const result = applyReference(text, referenceSpotAt(text, caret)!, 'small.image');
    expect(result.text).toBe('{"outputs": {"image": "small.image"}}');
    expect(result.text.slice(0, result.caret)).toBe('{"outputs": {"image": "small.image"');
  });

  it('closes a string still being typed', () => {
    const { text, caret } = at('{"outputs": {"image": "sm|\n}}');
    expect(applyReference(text, referenceSpotAt(text, caret)!, 'small.image').text).toBe('{"outputs": {"image": "small.image"\n}}');
  });
});
