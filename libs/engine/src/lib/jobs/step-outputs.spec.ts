import { TaskRequest } from '@aim/contracts';
import { checkedStepOutputs } from './step-outputs';

describe('checkedStepOutputs: what a service answers stays within its step', () => {
  const request: TaskRequest = {
    service: 'image-processing',
    task: 'resize',
    inputs: { image: { contentType: 'image/png', size: 10, blobKey: 'jobs/j1/inputs/image' } },
    params: {},
    outputPrefix: 'jobs/j1/steps/resize',
  };

  it('keeps files under the step prefix, inputs passed through, and JSON values', () => {
    const outputs = {
      image: { contentType: 'image/png', size: 5, blobKey: 'jobs/j1/steps/resize/image' },
      same: { contentType: 'image/png', size: 10, blobKey: 'jobs/j1/inputs/image' },
      info: { contentType: 'application/json', size: 2, value: { a: 1 } },
    };
    expect(checkedStepOutputs(request, outputs)).toBe(outputs);
  });

  it("refuses a file of another job, of another step, or climbing out, and answers that aren't outputs", () => {
    for (const blobKey of ['jobs/j2/inputs/image', 'jobs/j1/steps/other/image', 'jobs/j1/steps/resize/../../j2/inputs/image', 'jobs/j1/steps/resizeX/image']) {
      expect(() => checkedStepOutputs(request, { image: { contentType: 'image/png', size: 1, blobKey } })).toThrow(/outside its step/);
    }
    expect(() => checkedStepOutputs(request, null)).toThrow(/no outputs/);
    expect(() => checkedStepOutputs(request, { image: 'x' })).toThrow(/content type/);
  });
});
