import { ArtifactRef, ErrorCode, Job, JobView, MarketplaceError } from '@aim/contracts';
import { JOB_FIELDS } from './query.dto';

type JobField = (typeof JOB_FIELDS)[number];

/** The `fields` query of a job read: undefined for the whole job; refuses names that are not fields. */
export function jobFields(query: unknown): JobField[] | undefined {
  if (query === undefined) return undefined;
  const fields = typeof query === 'string' ? query.split(',') : [];
  if (!fields.length || fields.some((field) => !(JOB_FIELDS as readonly string[]).includes(field))) {
    throw new MarketplaceError(ErrorCode.ValidationFailed, `fields must be a comma-separated list of ${JOB_FIELDS.join(', ')}`, {
      problems: [{ path: 'fields', message: `must name only ${JOB_FIELDS.join(', ')}` }],
    });
  }
  return fields as JobField[];
}

/** Only the asked fields of the job view; the costly ones (inputs, outputs, steps) are built only when asked. */
export function jobFieldsView(job: Job, fields: JobField[]): Partial<JobView> {
  const simple = fields.every((field) => field !== 'inputs' && field !== 'outputs' && field !== 'steps');
  const view: Partial<JobView> = simple ? (job as unknown as JobView) : jobView(job);
  return Object.fromEntries(fields.map((field) => [field, view[field]]));
}

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
export function jobView(job: Job): JobView {
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
