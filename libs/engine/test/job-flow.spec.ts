import request from 'supertest';
import { PipelineDefinition } from '@aim/contracts';
import { client, createPipeline, submit, submitOk, waitForJob } from './support/api';
import { ADMIN_KEY, EngineHarness, startEngine } from './support/engine.harness';

const data = { data: { contentTypes: ['application/json'] } };

const pipelines: PipelineDefinition[] = [
  {
    id: 'diamond',
    name: 'two slow branches joined',
    inputs: data,
    steps: [
      { id: 'left', service: 'test-kit', task: 'slow', inputs: { data: 'inputs.data' }, params: { key: 'left', ms: 200 } },
      { id: 'right', service: 'test-kit', task: 'slow', inputs: { data: 'inputs.data' }, params: { key: 'right', ms: 200 } },
      { id: 'join', service: 'test-kit', task: 'echo', inputs: { data: 'left.data' }, bind: { tag: '$string(right.data.slept)' } },
    ],
    outputs: { joined: 'join.data' },
  },
  {
    id: 'conditional',
    name: 'a step that runs only when asked, and one that needs it',
    inputs: data,
    params: { type: 'object', properties: { go: { type: 'boolean', default: false } }, additionalProperties: false },
    steps: [
      { id: 'first', service: 'test-kit', task: 'echo', inputs: { data: 'inputs.data' } },
      { id: 'maybe', service: 'test-kit', task: 'echo', inputs: { data: 'first.data' }, when: 'params.go = true', params: { tag: 'ran' } },
      { id: 'after', service: 'test-kit', task: 'echo', inputs: { data: 'maybe.data' } },
    ],
    outputs: { first: 'first.data', maybe: 'maybe.data', after: 'after.data' },
  },
  {
    id: 'fan-out',
    name: 'for each item of a list, twice, then gather',
    inputs: data,
    params: { type: 'object', properties: { count: { type: 'integer', default: 3 } }, additionalProperties: false },
    steps: [
      { id: 'make', service: 'test-kit', task: 'list', inputs: { data: 'inputs.data' }, bind: { count: 'params.count' } },
      { id: 'each', service: 'test-kit', task: 'echo', inputs: { data: 'inputs.data' }, forEach: 'make.data', bind: { tag: '"item-" & $string(item.n) & "-at-" & $string(index)' } },
      { id: 'again', service: 'test-kit', task: 'echo', inputs: { data: 'each.data' }, forEach: 'make.data' },
      { id: 'gather', service: 'test-kit', task: 'echo', inputs: { data: 'inputs.data' }, bind: { tags: 'each.data.tag' } },
    ],
    outputs: { each: 'each.data', again: 'again.data', gathered: 'gather.data' },
  },
];

describe('jobs through the engine', () => {
  let engine: EngineHarness;

  beforeAll(async () => {
    engine = await startEngine();
    for (const pipeline of pipelines) await createPipeline(engine.app, pipeline);
  });
  afterAll(() => engine.close());

  it('runs independent steps in parallel and a joining step after both', async () => {
    engine.kit.maxRunning = 0;
    const job = await waitForJob(engine.app, (await submitOk(engine.app, 'diamond', { inputs: { data: { n: 1 } } })).id);
    expect(job.status).toBe('succeeded');
    expect(engine.kit.maxRunning).toBe(2);
    const [left, right, join] = job.steps;
    expect(Date.parse(join.startedAt)).toBeGreaterThanOrEqual(Math.max(Date.parse(left.finishedAt), Date.parse(right.finishedAt)));
    expect(job.outputs.joined.value).toEqual({ input: { input: { n: 1 }, slept: 200 }, tag: '200' });
  });

  it('skips a step whose condition is false, and the step that needs its output', async () => {
    const skipped = await waitForJob(engine.app, (await submitOk(engine.app, 'conditional')).id);
    expect(skipped.status).toBe('succeeded');
    expect(skipped.steps.map((s: { status: string }) => s.status)).toEqual(['succeeded', 'skipped', 'skipped']);
    expect(Object.keys(skipped.outputs)).toEqual(['first']);

    const ran = await waitForJob(engine.app, (await submitOk(engine.app, 'conditional', { params: { go: true } })).id);
    expect(ran.steps.map((s: { status: string }) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(ran.outputs.maybe.value).toMatchObject({ tag: 'ran' });
  });

  it('runs a step once per item, pairs items between for-each steps, and gathers lists', async () => {
    const job = await waitForJob(engine.app, (await submitOk(engine.app, 'fan-out')).id);
    expect(job.status).toBe('succeeded');
    expect(job.outputs.each.map((o: { value: { tag: string } }) => o.value.tag)).toEqual(['item-0-at-0', 'item-1-at-1', 'item-2-at-2']);
    expect(job.outputs.again.map((o: { value: { input: { tag: string } } }) => o.value.input.tag)).toEqual(['item-0-at-0', 'item-1-at-1', 'item-2-at-2']);
    expect(job.outputs.gathered.value.tags).toEqual(['item-0-at-0', 'item-1-at-1', 'item-2-at-2']);
    expect(job.steps[1].items).toHaveLength(3);

    const one = await waitForJob(engine.app, (await submitOk(engine.app, 'fan-out', { params: { count: 1 } })).id);
    expect(one.outputs.gathered.value.tags).toEqual(['item-0-at-0']);
    const none = await waitForJob(engine.app, (await submitOk(engine.app, 'fan-out', { params: { count: 0 } })).id);
    expect(none.status).toBe('succeeded');
    expect(none.outputs.each).toEqual([]);
    expect(none.outputs.gathered.value.tags).toEqual([]);
  });

  it('fails a for-each step whose list is longer than the limit, before running any item', async () => {
    const job = await waitForJob(engine.app, (await submitOk(engine.app, 'fan-out', { params: { count: 1001 } })).id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'EXPRESSION_LIMIT', message: expect.stringContaining('gave 1001 items; at most 1000 are allowed (MAX_FOREACH_ITEMS)') });
    expect(job.steps[1]).toMatchObject({ status: 'failed' });
    expect(job.steps[1].items).toBeUndefined();
  });

  it('downloads JSON outputs, and each item of a list output by index', async () => {
    const job = await waitForJob(engine.app, (await submitOk(engine.app, 'fan-out', { params: { count: 2 } })).id);
    const second = await client(engine.app).get(`/api/v1/jobs/${job.id}/outputs/each?index=1`).expect(200);
    expect(second.body).toMatchObject({ tag: 'item-1-at-1' });
    const missing = await client(engine.app).get(`/api/v1/jobs/${job.id}/outputs/each`).expect(404);
    expect(missing.body.message).toContain('?index=0 to 1');
    await client(engine.app).get(`/api/v1/jobs/${job.id}/outputs/nothing`).expect(404);
  });

  it('streams every event of a job over SSE, in order, ending with the job', async () => {
    const created = await submitOk(engine.app, 'diamond');
    const stream = await client(engine.app).get(`/api/v1/jobs/${created.id}/events`).buffer(true).parse((res, done) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => done(null, text));
    });
    expect(stream.headers['content-type']).toContain('text/event-stream');
    const events = (stream.body as string)
      .split('\n\n')
      .filter((block) => block.includes('data:'))
      .map((block) => JSON.parse(block.split('\n').find((line) => line.startsWith('data:'))!.slice(5)));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0].type).toBe('job.created');
    expect(events.at(-1).type).toBe('job.succeeded');
    expect(events.filter((e) => e.type === 'step.succeeded').map((e) => e.step).sort()).toEqual(['join', 'left', 'right']);

    const replay = await client(engine.app).get(`/api/v1/jobs/${created.id}/events`).set('Last-Event-ID', String(events.length - 1));
    expect(replay.text.match(/^id: (\d+)$/gm)).toEqual([`id: ${events.length}`]);
  });

  it('answers 404 for events of an unknown job', async () => {
    const response = await client(engine.app).get('/api/v1/jobs/00000000-0000-4000-8000-000000000000/events').expect(404);
    expect(response.body.code).toBe('JOB_NOT_FOUND');
  });

  it('lists jobs newest first, filtered by pipeline and status, paged', async () => {
    const page = await client(engine.app).get('/api/v1/jobs?pipelineId=conditional&status=succeeded&limit=1&offset=0').expect(200);
    expect(page.body.total).toBe(2);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0].pipelineId).toBe('conditional');
    const bad = await client(engine.app).get('/api/v1/jobs?status=sleeping&limit=1000').expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.message).toMatch(/status/);
  });

  it('gives the same job for a retried submit with the same idempotency key, and refuses the key for another request', async () => {
    const first = await submit(engine.app, 'conditional', {}, { 'Idempotency-Key': 'order-42' });
    const again = await submit(engine.app, 'conditional', {}, { 'Idempotency-Key': 'order-42' });
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const other = await submit(engine.app, 'conditional', { params: { go: true } }, { 'Idempotency-Key': 'order-42' });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_CONFLICT');
    await waitForJob(engine.app, first.body.id);
  });

  it('runs a single service task as a job', async () => {
    const response = await client(engine.app)
      .post('/api/v1/services/test-kit/tasks/echo/jobs')
      .send({ inputs: { data: { value: [1, 2] } }, params: { tag: 'alone' } })
      .expect(202);
    expect(response.headers['location']).toBe(`/api/v1/jobs/${response.body.id}`);
    const job = await waitForJob(engine.app, response.body.id);
    expect(job.pipelineId).toBe('task:test-kit.echo');
    expect(job.outputs.data.value).toEqual({ input: [1, 2], tag: 'alone' });
    const unknown = await client(engine.app).post('/api/v1/services/test-kit/tasks/dance/jobs').send({}).expect(404);
    expect(unknown.body.code).toBe('TASK_NOT_FOUND');
  });

  it('deletes a finished job for its owner or an admin, and for nobody else', async () => {
    const job = await waitForJob(engine.app, (await submitOk(engine.app, 'conditional')).id);
    await request(engine.app.getHttpServer()).delete(`/api/v1/jobs/${job.id}`).expect(404);
    await client(engine.app).delete(`/api/v1/jobs/${job.id}`).expect(204);
    await client(engine.app).get(`/api/v1/jobs/${job.id}`).expect(404);
    const another = await waitForJob(engine.app, (await submitOk(engine.app, 'conditional')).id);
    await request(engine.app.getHttpServer()).delete(`/api/v1/jobs/${another.id}`).set('X-API-Key', ADMIN_KEY).expect(204);
  });
});
