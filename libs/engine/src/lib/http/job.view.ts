import { ArtifactRef, Job } from '@aim/contracts';
import { JobDto } from './api.dto';

function refView(jobId: string, name: string, ref: ArtifactRef, index?: number) {
  const query = index === undefined ? '' : `?index=${index}`;
  return {
    contentType: ref.contentType,
    size: ref.size,
    ...(ref.blobKey ? {} : { value: ref.value }),
    url: `/api/v1/jobs/${jobId}/outputs/${encodeURIComponent(name)}${query}`,
  };
}

function stepOutputsView(outputs?: Record<string, ArtifactRef>) {
  return (
    outputs &&
    Object.fromEntries(
      Object.entries(outputs).map(([name, ref]) => [name, { contentType: ref.contentType, size: ref.size, ...(ref.blobKey ? {} : { value: ref.value }) }]),
    )
  );
}

/** A job as the API shows it: blob keys hidden, each output with the URL that downloads it. */
export function jobView(job: Job): JobDto {
  const { pipeline: _pipeline, requestHash: _hash, idempotencyKey: _key, owner: _owner, ...rest } = job;
  return {
    ...rest,
    inputs: Object.fromEntries(Object.entries(job.inputs).map(([name, ref]) => [name, { contentType: ref.contentType, size: ref.size }])),
    outputs: Object.fromEntries(
      Object.entries(job.outputs).map(([name, out]) => [
        name,
        Array.isArray(out) ? out.map((ref, index) => refView(job.id, name, ref, index)) : refView(job.id, name, out),
      ]),
    ),
    steps: job.steps.map((step) => ({
      ...step,
      outputs: stepOutputsView(step.outputs),
      items: step.items?.map((item) => ({ ...item, outputs: stepOutputsView(item.outputs) })),
    })),
  };
}
