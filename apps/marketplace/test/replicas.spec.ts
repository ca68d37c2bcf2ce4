import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { json, MarketplaceProcess, spawnMarketplace, userFetch } from './support/marketplace.process';

jest.setTimeout(240_000);

const JOBS = 1000;

interface JobSummary {
  id: string;
  status: string;
  seq: number;
  steps: { attempts: number }[];
}

function imageForm(image: Buffer, params: Record<string, unknown>, webhookUrl?: string): FormData {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'image.png');
  form.append('params', JSON.stringify(params));
  if (webhookUrl) form.append('webhookUrl', webhookUrl);
  return form;
}

/** A webhook receiver counting the calls for each job. */
async function webhookReceiver(): Promise<{ url: string; calls: Map<string, number>; server: Server }> {
  const calls = new Map<string, number>();
  const server = createServer((request, response) => {
    const job = String(request.headers['x-marketplace-job']);
    calls.set(job, (calls.get(job) ?? 0) + 1);
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, calls, server };
}

/** A job's events through one replica's SSE stream, to the job's end. */
async function eventsVia(replica: MarketplaceProcess, id: string): Promise<{ seq: number; type: string }[]> {
  const text = await (await userFetch(`${replica.url}/api/v1/jobs/${id}/events`)).text();
  return [...text.matchAll(/^data: (.+)$/gm)].map((match) => JSON.parse(match[1]) as { seq: number; type: string });
}

describe('three marketplace processes on one SQLite file (replicas)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aim-replicas-'));
  const replicas: MarketplaceProcess[] = [];
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    hooks?.server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeAll(async () => {
    hooks = await webhookReceiver();
    for (const name of ['r1', 'r2', 'r3']) {
      // One call at a time per service: jobs queue up in each replica, so the one killed leaves some behind.
      replicas.push(
        await spawnMarketplace({ DATA_DIR: dataDir, ENGINE_REPLICA_ID: name, JOB_LEASE_MS: '1500', LOG_LEVEL: 'warn', MAX_ACTIVE_JOBS: '5000', SUBMIT_RATE_PER_SECOND: '0', SERVICE_CONCURRENCY: '1', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }),
      );
    }
  });

  it(`runs ${JOBS} jobs submitted across them, one replica killed in the middle: each succeeds exactly once, none lost, each webhook delivered`, async () => {
    const [r1, r2, r3] = replicas;
    const small = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#3a7' } }).png().toBuffer();
    const submittedTo = new Map<string, MarketplaceProcess>();
    const submit = async (replica: MarketplaceProcess) => {
      const job = await json<JobSummary>(await userFetch(`${replica.url}/api/v1/services/image-processing/tasks/resize/jobs`, { method: 'POST', body: imageForm(small, { width: 16 }, hooks.url) }));
      submittedTo.set(job.id, replica);
    };
    let next = 0;
    const round = async (targets: MarketplaceProcess[], until: number) => {
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          while (next < until) {
            const index = next++;
            await submit(targets[index % targets.length]);
          }
        }),
      );
    };
    await round([r1, r2, r3], JOBS / 2 - 40);
    // Forty at once to r3, which works one at a time: killed as soon as they are accepted, it holds unfinished jobs.
    await Promise.all(Array.from({ length: 40 }, () => submit(r3)));
    next += 40;
    await r3.kill();
    const leftByR3 = await Promise.all([...submittedTo].filter(([, replica]) => replica === r3).map(async ([id]) => json<JobSummary>(await userFetch(`${r1.url}/api/v1/jobs/${id}`))));
    expect(leftByR3.filter((job) => job.status === 'queued' || job.status === 'running').length).toBeGreaterThan(0);
    await round([r1, r2], JOBS);
    expect(submittedTo.size).toBe(JOBS);

    const ids = [...submittedTo.keys()];
    let jobs: JobSummary[] = [];
    for (let i = 0; i < 300; i++) {
      const stats = await json<{ jobs: Record<string, number> }>(await userFetch(`${r1.url}/api/v1/stats`));
      if (stats.jobs['queued'] + stats.jobs['running'] === 0) break;
      await sleep(200);
    }
    jobs = await Promise.all(ids.map(async (id, index) => json<JobSummary>(await userFetch(`${[r1, r2][index % 2].url}/api/v1/jobs/${id}`))));
    expect(jobs.filter((job) => job.status !== 'succeeded').map((job) => [job.id, job.status])).toEqual([]);
    // A step ran twice only where its holder died mid-step: on jobs submitted to the replica killed.
    const repeated = jobs.filter((job) => job.steps[0].attempts > 1);
    expect(repeated.filter((job) => submittedTo.get(job.id) !== r3).map((job) => job.id)).toEqual([]);
    // Every webhook delivered by the job's holder; twice only where a holder died before it was recorded.
    for (let i = 0; i < 100 && ids.some((id) => !hooks.calls.has(id)); i++) await sleep(100);
    expect(ids.filter((id) => !hooks.calls.has(id))).toEqual([]);
    expect(ids.filter((id) => (hooks.calls.get(id) ?? 0) > 1 && submittedTo.get(id) !== r3)).toEqual([]);
    // Every event of every job, gapless and in order, read through a replica that may not have run it; one end each.
    for (const [index, job] of jobs.entries()) {
      if (index % 10 !== 0 && submittedTo.get(job.id) !== r3) continue;
      const events = await eventsVia([r1, r2][index % 2], job.id);
      expect(events.map((event) => event.seq)).toEqual(Array.from({ length: job.seq }, (_, i) => i + 1));
      expect(events.filter((event) => event.type === 'job.succeeded')).toHaveLength(1);
    }
  });

  it('follows, live, a job that another replica runs, waits for its end, and cancels one from a replica that does not run it', async () => {
    const [r1, r2] = replicas;
    const blur = (image: Buffer, sigma: number) => userFetch(`${r1.url}/api/v1/services/image-processing/tasks/blur/jobs`, { method: 'POST', body: imageForm(image, { sigma }) });
    // Blurs of a 2000x2000 picture: each a second or so of work, so that the stream on r2 opens before the job ends.
    const noise = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).png().toBuffer();
    const doomed = await json<JobSummary>(await blur(noise, 150));
    const followed = await json<JobSummary>(await blur(noise, 40));
    const live = eventsVia(r2, followed.id);
    expect(['queued', 'running']).toContain((await json<JobSummary>(await userFetch(`${r2.url}/api/v1/jobs/${followed.id}`))).status);
    // A caller that waits for the end on r2 (the job not ended a moment ago) is answered when r1 finishes it.
    const waiting = userFetch(`${r2.url}/api/v1/jobs/${followed.id}`, { headers: { prefer: 'wait=60' } });
    const cancelled = await json<JobSummary>(await userFetch(`${r2.url}/api/v1/jobs/${doomed.id}/cancel`, { method: 'POST' }));
    expect(cancelled.status).toBe('cancelled');
    expect((await json<JobSummary>(await userFetch(`${r1.url}/api/v1/jobs/${doomed.id}`))).status).toBe('cancelled');
    expect((await json<JobSummary>(await waiting)).status).toBe('succeeded');
    const events = await live;
    expect(events.map((event) => event.type)).toEqual(['job.created', 'job.started', 'step.started', 'step.succeeded', 'job.succeeded']);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
  });
});
