import { PipelineDefinition } from '@aim/contracts';
import { client, createPipeline, getJob, submit, submitOk, waitForJob, waitUntil } from './support/api';
import { EngineHarness, startEngine } from './support/engine.harness';

const data = { data: { contentTypes: ['application/json'] } };

function oneStep(id: string, task: string, params: Record<string, unknown>, extra: Partial<PipelineDefinition['steps'][0]> = {}): PipelineDefinition {
  return {
    id,
    name: id,
    inputs: data,
    params: { type: 'object', additionalProperties: true },
    steps: [{ id: 'only', service: 'test-kit', task, inputs: { data: 'inputs.data' }, params, ...extra }],
    outputs: { data: 'only.data' },
  };
}

describe('retries, timeouts, cancellation and limits', () => {
  let engine: EngineHarness;

  beforeAll(async () => {
    engine = await startEngine({ stepTimeoutMs: 2000 });
    await createPipeline(engine.app, oneStep('flaky-2', 'flaky', { key: 'k2', failures: 2 }));
    await createPipeline(engine.app, oneStep('flaky-9', 'flaky', { key: 'k9', failures: 9 }));
    await createPipeline(engine.app, oneStep('broken', 'flaky', { key: 'kb', failures: 9, retryable: false }));
    await createPipeline(engine.app, oneStep('too-slow', 'slow', { ms: 1000 }, { timeoutMs: 50, maxAttempts: 2 }));
    await createPipeline(engine.app, oneStep('slow', 'slow', { ms: 3000 }));
    await createPipeline(engine.app, oneStep('short', 'slow', { ms: 150 }));
  });
  afterAll(() => engine.close());

  it('retries a retryable failure with backoff and succeeds', async () => {
    const job = await waitForJob(engine.app, (await submitOk(engine.app, 'flaky-2')).id);
    expect(job.status).toBe('succeeded');
    expect(job.steps[0].attempts).toBe(3);
    expect(job.outputs.data.value.attempt).toBe(3);
  });

  it('fails the job after the last attempt, with the service message', async () => {
    const job = await waitForJob(engine.app, (await submitOk(engine.app, 'flaky-9')).id);
    expect(job.status).toBe('failed');
    expect(job.steps[0].attempts).toBe(3);
    expect(job.error).toMatchObject({ code: 'TASK_FAILED', message: 'step "only" failed after 3 attempts: planned failure 3 of k9' });
  });

  it('fails at once on a non-retryable error', async () => {
    const job = await waitForJob(engine.app, (await submitOk(engine.app, 'broken')).id);
    expect(job.status).toBe('failed');
    expect(job.steps[0].attempts).toBe(1);
    expect(job.error.message).toBe('step "only" failed: planned failure 1 of kb');
  });

  it('times out a step that takes too long, per attempt', async () => {
    const job = await waitForJob(engine.app, (await submitOk(engine.app, 'too-slow')).id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('TIMEOUT');
    expect(job.steps[0].attempts).toBe(2);
  });

  it('cancels a running job: its step is aborted and a second cancel is refused', async () => {
    const created = await submitOk(engine.app, 'slow');
    await waitForJob(engine.app, created.id, (job) => job.steps[0].status === 'running');
    const cancelled = await client(engine.app).post(`/api/v1/jobs/${created.id}/cancel`).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.steps[0].status).toBe('cancelled');
    await waitUntil(() => engine.kit.running.size === 0, 1000, 'the slow task to see its abort');
    const again = await client(engine.app).post(`/api/v1/jobs/${created.id}/cancel`).expect(409);
    expect(again.body.code).toBe('JOB_NOT_CANCELLABLE');
    const stored = await waitForJob(engine.app, created.id);
    expect(stored.status).toBe('cancelled');
  });

  it('never sends a service more work than its instances accept, and holds the rest', async () => {
    engine.kit.maxRunning = 0;
    const ids = await Promise.all(Array.from({ length: 14 }, async () => (await submitOk(engine.app, 'short')).id));
    await waitUntil(async () => (await client(engine.app).get('/api/v1/stats')).body.services[0].held > 0, 2000, 'held steps');
    const jobs = await Promise.all(ids.map((id) => waitForJob(engine.app, id)));
    expect(jobs.every((job) => job.status === 'succeeded')).toBe(true);
    // The test-kit host works on 4 at once with 4 waiting: the engine holds the rest.
    expect(engine.kit.maxRunning).toBe(4);
  });
});

describe('backpressure', () => {
  let engine: EngineHarness;

  beforeAll(async () => {
    engine = await startEngine({ maxActiveJobs: 2 });
    await createPipeline(engine.app, oneStep('short', 'slow', { ms: 300 }));
  });
  afterAll(() => engine.close());

  it('answers 429 with Retry-After when the engine queue is full, and accepts again once jobs finish', async () => {
    const first = await submitOk(engine.app, 'short');
    const keyed = await submit(engine.app, 'short', {}, { 'Idempotency-Key': 'full-queue' });
    expect(keyed.status).toBe(202);
    // A retried submit still gets its job when the queue is full: it adds nothing.
    const retried = await submit(engine.app, 'short', {}, { 'Idempotency-Key': 'full-queue' });
    expect(retried.status).toBe(200);
    expect(retried.body.id).toBe(keyed.body.id);
    const refused = await submit(engine.app, 'short');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body.code).toBe('QUEUE_FULL');
    await waitForJob(engine.app, first.id);
    await waitUntil(async () => (await submit(engine.app, 'short')).status === 202, 3000, 'a free place in the queue');
  });
});

describe('service availability', () => {
  let engine: EngineHarness;

  beforeAll(async () => {
    engine = await startEngine();
    await createPipeline(engine.app, oneStep('echo', 'echo', {}));
  });
  afterAll(() => engine.close());

  it('marks a service without heartbeats unavailable, its pipelines not runnable, and takes it back on the next beat', async () => {
    engine.heartbeats.pause();
    await waitUntil(async () => (await client(engine.app).get('/api/v1/services/test-kit')).body.status === 'unavailable', 2000, 'unavailable');
    const pipeline = (await client(engine.app).get('/api/v1/pipelines/echo')).body;
    expect(pipeline.runnable).toBe(false);
    expect(pipeline.notRunnableReasons).toEqual(['service "test-kit" has no available instance']);
    const refused = await submit(engine.app, 'echo');
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('PIPELINE_NOT_RUNNABLE');

    engine.heartbeats.resume();
    await waitUntil(async () => (await client(engine.app).get('/api/v1/pipelines/echo')).body.runnable === true, 2000, 'runnable again');
    expect((await waitForJob(engine.app, (await submitOk(engine.app, 'echo')).id)).status).toBe('succeeded');
  });
});

describe('restart', () => {
  it('resumes every unfinished job where it stood after the engine stops mid-run', async () => {
    const first = await startEngine();
    await createPipeline(first.app, oneStep('nap', 'slow', { ms: 400 }));
    const ids = await Promise.all(Array.from({ length: 6 }, async () => (await submitOk(first.app, 'nap')).id));
    await waitForJob(first.app, ids[0], (job) => job.status === 'running');
    await first.close({ keepData: true });

    const second = await startEngine({}, first.dataDir);
    try {
      const jobs = await Promise.all(ids.map((id) => waitForJob(second.app, id)));
      expect(jobs.map((job) => job.status)).toEqual(ids.map(() => 'succeeded'));
      const interrupted = jobs.filter((job) => job.steps[0].attempts === 2);
      expect(interrupted.length).toBeGreaterThan(0);
    } finally {
      await second.close();
    }
  });
});

describe('sharing a service between jobs', () => {
  it('gives a one-step job a slot before a big for-each job has worked through its items', async () => {
    const engine = await startEngine();
    try {
      await createPipeline(engine.app, {
        id: 'many-slow',
        name: 'a hundred slow items',
        inputs: { data: { contentTypes: ['application/json'] } },
        steps: [
          { id: 'make', service: 'test-kit', task: 'list', inputs: { data: 'inputs.data' }, params: { count: 100 } },
          { id: 'each', service: 'test-kit', task: 'slow', inputs: { data: 'inputs.data' }, forEach: 'make.data', params: { ms: 30 } },
        ],
        outputs: { each: 'each.data' },
      });
      const big = await submitOk(engine.app, 'many-slow');
      await waitForJob(engine.app, big.id, (job) => (job.steps[1].items ?? []).some((item: { status: string }) => item.status === 'succeeded'));
      const small = await client(engine.app).post('/api/v1/services/test-kit/tasks/slow/jobs').send({ inputs: { data: { value: 1 } }, params: { ms: 30 } }).expect(202);
      await waitForJob(engine.app, small.body.id);
      const bigNow = await getJob(engine.app, big.id);
      const done = bigNow.steps[1].items.filter((item: { status: string }) => item.status === 'succeeded').length;
      // First come, first served, the small job would wait for about 90 items; taking turns, for a handful.
      expect(bigNow.status).toBe('running');
      expect(done).toBeLessThan(40);
      expect((await waitForJob(engine.app, big.id)).status).toBe('succeeded');
    } finally {
      await engine.close();
    }
  });
});
