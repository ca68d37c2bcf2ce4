import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import { PipelineDefinition } from '@aim/contracts';
import { ADMIN_KEY, USER_KEY } from './engine.harness';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JobBody = any;

const agents = new WeakMap<INestApplication, ReturnType<typeof request.agent>>();

/**
 * The tests' HTTP client of an app: a program with the test user key, so it owns the jobs it submits,
 * also across a restart (job-ownership.spec covers browsers with cookies and strangers).
 */
export function client(app: INestApplication): ReturnType<typeof request.agent> {
  let agent = agents.get(app);
  if (!agent) agents.set(app, (agent = request.agent(app.getHttpServer()).set('X-API-Key', USER_KEY)));
  return agent;
}

export async function createPipeline(app: INestApplication, definition: PipelineDefinition): Promise<void> {
  const response = await request(app.getHttpServer()).post('/api/v1/pipelines').set('X-API-Key', ADMIN_KEY).send(definition);
  if (response.status !== 201) throw new Error(`pipeline ${definition.id} refused: ${JSON.stringify(response.body)}`);
}

export async function submit(
  app: INestApplication,
  pipelineId: string,
  body: { inputs?: Record<string, unknown>; params?: Record<string, unknown>; webhookUrl?: string } = {},
  headers: Record<string, string> = {},
): Promise<request.Response> {
  const inputs = Object.fromEntries(Object.entries(body.inputs ?? { data: { hello: 'world' } }).map(([name, value]) => [name, { value }]));
  let call = client(app).post(`/api/v1/pipelines/${pipelineId}/jobs`);
  for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
  return call.send({ ...body, inputs });
}

export async function submitOk(app: INestApplication, pipelineId: string, body: Parameters<typeof submit>[2] = {}): Promise<JobBody> {
  const response = await submit(app, pipelineId, body);
  if (response.status !== 202) throw new Error(`submit to ${pipelineId} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

export async function getJob(app: INestApplication, id: string): Promise<JobBody> {
  return (await client(app).get(`/api/v1/jobs/${id}`).expect(200)).body;
}

/** Polls the job until it is finished (or the predicate holds); fails after `timeoutMs`. */
export async function waitForJob(app: INestApplication, id: string, until: (job: JobBody) => boolean = isFinished, timeoutMs = 10_000): Promise<JobBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(app, id);
    if (until(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms: ${JSON.stringify(job.steps)}`);
    await sleep(20);
  }
}

export const isFinished = (job: JobBody) => ['succeeded', 'failed', 'cancelled'].includes(job.status);

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await sleep(20);
  }
}
