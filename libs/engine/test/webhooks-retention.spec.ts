import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { join } from 'node:path';
import { AddressInfo } from 'node:net';
import { PipelineDefinition } from '@aim/contracts';
import { BlobStore } from '@aim/blob-store';
import { JobStore } from '@aim/store';
import { RetentionSweeper } from '../src/lib/jobs/retention.sweeper';
import { signWebhook } from '../src/lib/jobs/webhook.sender';
import { client, createPipeline, submit, submitOk, waitForJob, waitUntil } from './support/api';
import { DEFAULT_TEST_OPTIONS, EngineHarness, startEngine } from './support/engine.harness';

const echo: PipelineDefinition = {
  id: 'echo',
  name: 'echo',
  inputs: { data: { contentTypes: ['application/json'] } },
  steps: [{ id: 'only', service: 'test-kit', task: 'echo', inputs: { data: 'inputs.data' } }],
  outputs: { data: 'only.data' },
};

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP receiver that answers the planned statuses in turn (then 200). */
async function receiver(statuses: number[] = []): Promise<{ url: string; calls: Received[]; server: Server }> {
  const calls: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      calls.push({ headers: req.headers, body });
      res.statusCode = statuses[calls.length - 1] ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, calls, server };
}

describe('webhooks', () => {
  let engine: EngineHarness;

  beforeAll(async () => {
    engine = await startEngine();
    await createPipeline(engine.app, echo);
  });
  afterAll(() => engine.close());

  it('posts the finished job, signed with HMAC-SHA256 over timestamp and body', async () => {
    const hook = await receiver();
    try {
      const job = await submitOk(engine.app, 'echo', { webhookUrl: hook.url });
      await waitUntil(() => hook.calls.length === 1, 3000, 'the webhook call');
      const [call] = hook.calls;
      expect(JSON.parse(call.body)).toMatchObject({ id: job.id, status: 'succeeded', outputs: ['data'] });
      const timestamp = call.headers['x-marketplace-timestamp'] as string;
      expect(call.headers['x-marketplace-signature']).toBe(signWebhook(DEFAULT_TEST_OPTIONS.webhookSecret!, timestamp, call.body));
      expect(call.headers['x-marketplace-signature']).not.toBe(signWebhook('another-secret-0123456789', timestamp, call.body));
      await waitForJob(engine.app, job.id, (j) => j.webhook?.status === 'delivered');
    } finally {
      hook.server.close();
    }
  });

  it('retries a failing receiver with backoff, then records the delivery', async () => {
    const hook = await receiver([500, 503]);
    try {
      const job = await submitOk(engine.app, 'echo', { webhookUrl: hook.url });
      const done = await waitForJob(engine.app, job.id, (j) => j.webhook?.status === 'delivered');
      expect(done.webhook.attempts).toBe(3);
      expect(hook.calls).toHaveLength(3);
    } finally {
      hook.server.close();
    }
  });

  it('gives up after the last attempt and says why', async () => {
    const hook = await receiver([500, 500, 500, 500]);
    try {
      const job = await submitOk(engine.app, 'echo', { webhookUrl: hook.url });
      const done = await waitForJob(engine.app, job.id, (j) => j.webhook?.status === 'failed');
      expect(done.webhook).toMatchObject({ attempts: 3, lastError: 'answered HTTP 500' });
    } finally {
      hook.server.close();
    }
  });

  it('refuses a webhook URL that is not http(s)', async () => {
    const response = await submit(engine.app, 'echo', { webhookUrl: 'file:///etc/passwd' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('webhooks to private addresses', () => {
  it('are refused at submit, and at delivery when the setting changed since the job was accepted', async () => {
    const hook = await receiver([500, 500, 500, 500]);
    const permissive = await startEngine({ webhookAllowPrivateTargets: true, retryBaseDelayMs: 400 });
    const dataDir = permissive.dataDir;
    let strict: EngineHarness | undefined;
    try {
      await createPipeline(permissive.app, echo);
      const job = await submitOk(permissive.app, 'echo', { webhookUrl: hook.url });
      await waitUntil(() => hook.calls.length === 1, 3000, 'the first webhook call');
      await permissive.close({ keepData: true });

      strict = await startEngine({ webhookAllowPrivateTargets: false, retryBaseDelayMs: 20 }, dataDir);
      const refused = await submit(strict.app, 'echo', { webhookUrl: 'http://169.254.169.254/latest/meta-data/' });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ path: 'webhookUrl' }] });
      // The pending delivery goes on after the restart, and is refused at connection time.
      const done = await waitForJob(strict.app, job.id, (j) => j.webhook?.status === 'failed');
      expect(done.webhook).toMatchObject({ lastError: 'refused to connect to a non-public address' });
      expect(hook.calls).toHaveLength(1);
    } finally {
      await strict?.close();
      hook.server.close();
    }
  });
});

describe('retention', () => {
  it('with replicas on the store, sweeps the files of an unknown job only if it is still unknown after the grace', async () => {
    const first = await startEngine();
    await createPipeline(first.app, echo);
    const blobs = first.app.get(BlobStore);
    // Files of a submit under way on another replica (its job stored a moment later), and of one that never will be.
    const underWay = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const abandoned = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    await blobs.put(`jobs/${underWay}/inputs/data`, Buffer.from('{}'));
    await blobs.put(`jobs/${abandoned}/inputs/data`, Buffer.from('{}'));
    await first.close({ keepData: true });
    const second = await startEngine({ leftoverGraceMs: 600 }, first.dataDir);
    try {
      const stored = await submitOk(second.app, 'echo');
      const job = await waitForJob(second.app, stored.id);
      // The other replica's job lands in the store under the id its files were written for.
      const store = second.app.get(JobStore);
      await store.createJob({ ...(await store.getJob(job.id))!, id: underWay, idempotencyKey: undefined }, []);
      const folders = async () => (await second.app.get(BlobStore).listFolders('jobs')).filter((id) => id !== job.id).sort();
      // Not at start: both were unknown then.
      expect(await folders()).toEqual([abandoned, underWay].sort());
      await waitUntil(async () => !(await folders()).includes(abandoned), 5000, 'the abandoned files swept');
      expect(await folders()).toEqual([underWay]);
    } finally {
      await second.close();
    }
  });

  it('sweeps at start what a crash left: half-written files, and files of jobs that were never stored', async () => {
    const engine = await startEngine();
    try {
      await createPipeline(engine.app, echo);
      const kept = await submitOk(engine.app, 'echo');
      const blobs = engine.app.get(BlobStore);
      await blobs.put('jobs/7c9e6679-7425-40de-944b-e07fc1f90ae7/inputs/image', Buffer.from('never stored'));
      await blobs.put(`jobs/${kept.id}/inputs/note`, Buffer.from('kept'));
      const shard = join(engine.dataDir, 'blobs', 'jobs', `~${kept.id.slice(0, 2)}`);
      writeFileSync(join(shard, `${kept.id}~steps~only~data.0b7a1c2e-3f4d-4a5b-8c9d-0e1f2a3b4c5d.tmp`), 'half');
      expect(await engine.app.get(RetentionSweeper).sweepLeftovers()).toEqual({ temporaryFiles: 1, orphanJobFolders: 1 });
      expect(await blobs.listFolders('jobs')).toEqual([kept.id]);
      expect(readdirSync(shard).filter((name) => name.startsWith(kept.id))).toEqual([`${kept.id}~inputs~note`]);
    } finally {
      await engine.close();
    }
  });

  it('removes finished jobs, their events and files after the retention time, and keeps the rest', async () => {
    const engine = await startEngine({ retentionMs: 60_000 });
    try {
      await createPipeline(engine.app, echo);
      const response = await client(engine.app)
        .post('/api/v1/services/test-kit/tasks/echo/jobs')
        .send({ inputs: { data: { value: 1 } } })
        .expect(202);
      const old = await waitForJob(engine.app, response.body.id);
      const running = await client(engine.app)
        .post('/api/v1/services/test-kit/tasks/slow/jobs')
        .send({ inputs: { data: { value: 1 } }, params: { ms: 2000 } })
        .expect(202);
      const sweeper = engine.app.get(RetentionSweeper);
      expect(await sweeper.sweep(Date.now())).toBe(0);
      expect(await sweeper.sweep(Date.now() + 61_000)).toBe(1);
      await client(engine.app).get(`/api/v1/jobs/${old.id}`).expect(404);
      expect((await client(engine.app).get(`/api/v1/jobs/${running.body.id}`).expect(200)).body.status).toBe('running');
      await client(engine.app).post(`/api/v1/jobs/${running.body.id}/cancel`).expect(200);
    } finally {
      await engine.close();
    }
  });
});
