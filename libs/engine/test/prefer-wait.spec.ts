import request from 'supertest';
import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { PipelineDefinition } from '@aim/contracts';
import { JobsService } from '../src/lib/jobs/jobs.service';
import { client, createPipeline, submit, waitUntil } from './support/api';
import { EngineHarness, startEngine, USER_KEY } from './support/engine.harness';

const sleeper = (ms: number): PipelineDefinition => ({
  id: `sleep-${ms}`,
  name: `sleeps ${ms} ms, then echoes`,
  inputs: { data: { contentTypes: ['application/json'] } },
  steps: [
    { id: 'wait', service: 'test-kit', task: 'slow', inputs: { data: 'inputs.data' }, params: { ms } },
    { id: 'echo', service: 'test-kit', task: 'echo', inputs: { data: 'wait.data' } },
  ],
  outputs: { data: 'echo.data' },
});

/** `Prefer: wait=N` (RFC 7240): a program gets the finished job in one call instead of polling for it. */
describe('waiting for a job to end', () => {
  let engine: EngineHarness;
  const waiting = () => engine.app.get(JobsService).waitingCallers;

  beforeAll(async () => {
    engine = await startEngine();
    for (const ms of [200, 5000]) await createPipeline(engine.app, sleeper(ms));
  });
  afterAll(() => engine.close());

  it('answers a submit with the finished job (200) when it ends within the wait', async () => {
    const response = await submit(engine.app, 'sleep-200', { inputs: { data: 7 } }, { Prefer: 'wait=10' });
    expect(response.status).toBe(200);
    expect(response.headers['preference-applied']).toBe('wait=10');
    expect(response.headers['location']).toBe(`/api/v1/jobs/${response.body.id}`);
    expect(response.body.status).toBe('succeeded');
    expect(response.body.outputs.data.value).toEqual({ input: { input: 7, slept: 200 } });
    expect(waiting()).toBe(0);
  });

  it('answers 202 with the job as it is when the wait runs out first', async () => {
    const response = await submit(engine.app, 'sleep-5000', {}, { Prefer: 'respond-async, wait=1' });
    expect(response.status).toBe(202);
    expect(response.headers['preference-applied']).toBe('wait=1');
    expect(response.body.status).toBe('running');
    await client(engine.app).post(`/api/v1/jobs/${response.body.id}/cancel`).expect(200);
  });

  it('grants at most MAX_WAIT_SECONDS and ignores a wait it cannot read', async () => {
    const capped = await submit(engine.app, 'sleep-200', {}, { Prefer: 'wait=86400' });
    expect([capped.status, capped.headers['preference-applied'], capped.body.status]).toEqual([200, 'wait=60', 'succeeded']);
    for (const prefer of ['wait=soon', 'wait=-1', 'wait=1.5', 'waiting=3', '']) {
      const response = await submit(engine.app, 'sleep-200', {}, { Prefer: prefer });
      expect([prefer, response.status, response.headers['preference-applied']]).toEqual([prefer, 202, undefined]);
      expect(['queued', 'running']).toContain(response.body.status);
    }
  });

  it('holds a GET of a running job until it ends, and answers an ended one at once', async () => {
    const id = (await submit(engine.app, 'sleep-200')).body.id as string;
    const held = await client(engine.app).get(`/api/v1/jobs/${id}?fields=status`).set('Prefer', 'wait=10').expect(200);
    expect(held.body).toEqual({ status: 'succeeded' });
    expect(held.headers['preference-applied']).toBe('wait=10');
    const again = await client(engine.app).get(`/api/v1/jobs/${id}`).set('Prefer', 'wait=10').expect(200);
    expect(again.body.status).toBe('succeeded');
  });

  it('makes a stranger wait for nothing: an unknown job is a 404 at once', async () => {
    const id = (await submit(engine.app, 'sleep-5000')).body.id as string;
    await request(engine.app.getHttpServer()).get(`/api/v1/jobs/${id}`).set('Prefer', 'wait=30').expect(404);
    expect(waiting()).toBe(0);
    await client(engine.app).post(`/api/v1/jobs/${id}/cancel`).expect(200);
  });

  it('lets a waiting caller go when the job is cancelled, and forgets a caller that hung up', async () => {
    const id = (await submit(engine.app, 'sleep-5000')).body.id as string;
    const held = client(engine.app).get(`/api/v1/jobs/${id}`).set('Prefer', 'wait=30').then((response) => response);
    await waitUntil(() => waiting() === 1);
    await client(engine.app).post(`/api/v1/jobs/${id}/cancel`).expect(200);
    expect((await held).body.status).toBe('cancelled');
    expect(waiting()).toBe(0);

    const other = (await submit(engine.app, 'sleep-5000')).body.id as string;
    const server = engine.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const call = httpRequest({ port, host: '127.0.0.1', path: `/api/v1/jobs/${other}`, headers: { 'x-api-key': USER_KEY, prefer: 'wait=30' } });
    call.on('error', () => undefined);
    call.end();
    await waitUntil(() => waiting() === 1);
    call.destroy();
    await waitUntil(() => waiting() === 0);
    await client(engine.app).post(`/api/v1/jobs/${other}/cancel`).expect(200);
  });
});
