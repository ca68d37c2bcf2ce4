import { Job, JobEvent, PipelineDefinition } from '@aim/contracts';

/** The jobs, events and pipelines the store contracts write. */
export function makePipeline(id: string): PipelineDefinition {
  return {
    id,
    name: id,
    inputs: { image: { contentTypes: ['image/png'] } },
    steps: [{ id: 'a', service: 's', task: 't', inputs: { image: 'inputs.image' } }],
    outputs: { image: 'a.image' },
  };
}

export function makeJob(id: string, patch: Partial<Job> = {}): Job {
  return {
    id,
    pipelineId: 'p1',
    pipeline: makePipeline('p1'),
    status: 'queued',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    params: {},
    inputs: { image: { contentType: 'image/png', size: 3, blobKey: `jobs/${id}/inputs/image` } },
    outputs: {},
    steps: [{ id: 'a', service: 's', task: 't', status: 'pending', attempts: 0 }],
    seq: 0,
    ...patch,
  };
}

export function makeEvent(job: Job, seq: number): JobEvent {
  return { jobId: job.id, seq, type: 'job.created', at: job.createdAt, status: job.status };
}
