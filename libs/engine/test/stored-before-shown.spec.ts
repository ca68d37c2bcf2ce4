import { Job, JobEvent, PipelineDefinition } from '@aim/contracts';
import { JobStore } from '@aim/store';
import { JobsService } from '../src/lib/jobs/jobs.service';
import { createPipeline, submitOk, waitForJob } from './support/api';
import { EngineHarness, startEngine } from './support/engine.harness';

const chain: PipelineDefinition = {
  id: 'chain',
  name: 'three echoes in a row',
  inputs: { data: { contentTypes: ['application/json'] } },
  steps: [
    { id: 'one', service: 'test-kit', task: 'echo', inputs: { data: 'inputs.data' } },
    { id: 'two', service: 'test-kit', task: 'echo', inputs: { data: 'one.data' } },
    { id: 'three', service: 'test-kit', task: 'echo', inputs: { data: 'two.data' } },
  ],
  outputs: { data: 'three.data' },
};

/**
 * The store commits a turn's writes together, a moment after they are asked for; a reader must never be
 * shown a change before it is stored (a crash in between would take back what it was told).
 */
describe('a change is shown only once it is stored', () => {
  let engine: EngineHarness;

  beforeAll(async () => {
    engine = await startEngine();
    await createPipeline(engine.app, chain);
  });
  afterAll(() => engine.close());

  it('answers a read made while a write is on its way with what is stored once that write is committed', async () => {
    const store = engine.app.get(JobStore);
    const jobs = engine.app.get(JobsService);
    const save = store.saveJob.bind(store);
    const reads: Promise<void>[] = [];
    const shownAhead: string[] = [];
    // At the very moment each change is handed to the store, a reader asks for the job.
    store.saveJob = (job: Job, events: JobEvent[]) => {
      const written = save(job, events);
      reads.push(
        jobs.get(job.id, { admin: true }).then(async (shown) => {
          const stored = await store.getJob(job.id);
          if (!stored || stored.seq < shown.seq) shownAhead.push(`${job.id}: shown seq ${shown.seq} (${shown.status}), stored ${stored?.seq}`);
        }),
      );
      return written;
    };
    try {
      const submitted = await Promise.all(Array.from({ length: 10 }, (_, n) => submitOk(engine.app, 'chain', { inputs: { data: { n } } })));
      for (const { id } of submitted) expect((await waitForJob(engine.app, id)).status).toBe('succeeded');
      await Promise.all(reads);
    } finally {
      store.saveJob = save;
    }
    expect(reads.length).toBeGreaterThanOrEqual(30);
    expect(shownAhead).toEqual([]);
  });
});
