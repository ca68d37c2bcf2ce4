import request from 'supertest';
import { PipelineDefinition } from '@aim/contracts';
import { createPipeline, waitUntil } from './support/api';
import { ADMIN_KEY, EngineHarness, startEngine, USER_KEY } from './support/engine.harness';

const slow: PipelineDefinition = {
  id: 'slow-echo',
  name: 'slow, then echo',
  inputs: { data: { contentTypes: ['application/json'] } },
  steps: [
    { id: 'wait', service: 'test-kit', task: 'slow', inputs: { data: 'inputs.data' }, params: { ms: 300 } },
    { id: 'echo', service: 'test-kit', task: 'echo', inputs: { data: 'wait.data' } },
  ],
  outputs: { data: 'echo.data' },
};

/** Still running when its owner cancels it, however slowly the checks before ran (a busy machine took
 * longer than the 300 ms of slow-echo, and the job had finished: 409). */
const long: PipelineDefinition = { ...slow, id: 'long-echo', name: 'long, then echo', steps: [{ ...slow.steps[0], params: { ms: 60_000 } }, slow.steps[1]] };

/** Each caller as a real HTTP client: a browser keeping its cookie, a program with a key, an admin. */
describe('who may see a job', () => {
  let engine: EngineHarness;
  const browser = () => request.agent(engine.app.getHttpServer());

  beforeAll(async () => {
    engine = await startEngine();
    await createPipeline(engine.app, slow);
    await createPipeline(engine.app, long);
  });
  afterAll(() => engine.close());

  it('gives an anonymous browser an HttpOnly owner cookie with its first job', async () => {
    const response = await request(engine.app.getHttpServer()).post('/api/v1/pipelines/slow-echo/jobs').send({ inputs: { data: { value: 1 } } }).expect(202);
    const cookie = response.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^aim_owner=[A-Za-z0-9_-]{43}; Max-Age=31536000; Path=\/; Expires=.+; HttpOnly; SameSite=Lax$/);
  });

  it('answers 404 on every route of a job to anyone but its owner and admins, and lists only their own', async () => {
    const owner = browser();
    const stranger = browser();
    const submitted = await owner.post('/api/v1/pipelines/long-echo/jobs').send({ inputs: { data: { value: 'secret' } }, webhookUrl: 'http://127.0.0.1:9/hook' }).expect(202);
    const id = submitted.body.id as string;
    await stranger.post('/api/v1/pipelines/slow-echo/jobs').send({ inputs: { data: { value: 2 } } }).expect(202); // the stranger has a cookie of its own
    const program = request(engine.app.getHttpServer());

    const routes = [
      ['get', `/api/v1/jobs/${id}`],
      ['get', `/api/v1/jobs/${id}/events`],
      ['get', `/api/v1/jobs/${id}/inputs/data`],
      ['get', `/api/v1/jobs/${id}/outputs/data`],
      ['post', `/api/v1/jobs/${id}/cancel`],
      ['delete', `/api/v1/jobs/${id}`],
    ] as const;
    for (const [method, path] of routes) {
      for (const [who, call] of [
        ['stranger', stranger[method](path)],
        ['no cookie', program[method](path)],
        ['user key', program[method](path).set('X-API-Key', USER_KEY)],
      ] as const) {
        const response = await call;
        expect([who, method, path, response.status, response.body.code]).toEqual([who, method, path, 404, 'JOB_NOT_FOUND']);
      }
    }
    // Nothing of it shows in others' lists; the owner's list has it, an admin's has everyone's.
    const listed = async (call: request.Test) => ((await call).body.items as { id: string }[]).map((job) => job.id);
    expect(await listed(stranger.get('/api/v1/jobs'))).not.toContain(id);
    expect(await listed(program.get('/api/v1/jobs'))).toEqual([]);
    expect(await listed(program.get('/api/v1/jobs').set('X-API-Key', USER_KEY))).not.toContain(id);
    expect(await listed(owner.get('/api/v1/jobs'))).toEqual([id]);
    expect(await listed(program.get('/api/v1/jobs?limit=100').set('X-API-Key', ADMIN_KEY))).toContain(id);

    const mine = await owner.get(`/api/v1/jobs/${id}`).expect(200);
    expect(mine.body.webhook).toMatchObject({ url: 'http://127.0.0.1:9/hook' });
    expect(mine.body.owner).toBeUndefined();
    await program.get(`/api/v1/jobs/${id}`).set('X-API-Key', ADMIN_KEY).expect(200);
    await owner.post(`/api/v1/jobs/${id}/cancel`).expect(200);
  });

  it('lets a program with a user key own its jobs, and refuses a key it does not know', async () => {
    const program = request(engine.app.getHttpServer());
    const submitted = await program.post('/api/v1/pipelines/slow-echo/jobs').set('X-API-Key', USER_KEY).send({ inputs: { data: { value: 3 } } }).expect(202);
    expect(submitted.headers['set-cookie']).toBeUndefined();
    await program.get(`/api/v1/jobs/${submitted.body.id}`).set('Authorization', `Bearer ${USER_KEY}`).expect(200);
    await program.get(`/api/v1/jobs/${submitted.body.id}`).expect(404);
    const unknown = await program.get('/api/v1/jobs').set('X-API-Key', 'a-key-nobody-configured').expect(401);
    expect(unknown.body).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('not known') });
  });

  it('keeps idempotency keys apart between owners', async () => {
    const first = browser();
    const second = browser();
    const body = { inputs: { data: { value: 'same' } } };
    const a = await first.post('/api/v1/pipelines/slow-echo/jobs').set('Idempotency-Key', 'shared-key').send(body).expect(202);
    const b = await second.post('/api/v1/pipelines/slow-echo/jobs').set('Idempotency-Key', 'shared-key').send(body).expect(202);
    expect(b.body.id).not.toBe(a.body.id);
    const again = await first.post('/api/v1/pipelines/slow-echo/jobs').set('Idempotency-Key', 'shared-key').send(body).expect(200);
    expect(again.body.id).toBe(a.body.id);
  });

  it('takes jobs only with a key when anonymous use is off', async () => {
    const strict = await startEngine({ allowAnonymous: false });
    try {
      await createPipeline(strict.app, slow);
      const server = strict.app.getHttpServer();
      const refused = await request(server).post('/api/v1/pipelines/slow-echo/jobs').send({ inputs: { data: { value: 1 } } }).expect(401);
      expect(refused.body).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('only with an API key') });
      expect(refused.headers['set-cookie']).toBeUndefined();
      const accepted = await request(server).post('/api/v1/pipelines/slow-echo/jobs').set('X-API-Key', USER_KEY).send({ inputs: { data: { value: 1 } } }).expect(202);
      await waitUntil(async () => (await request(server).get(`/api/v1/jobs/${accepted.body.id}`).set('X-API-Key', USER_KEY)).body.status === 'succeeded', 5000, 'the job');
    } finally {
      await strict.close();
    }
  });
});
