import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { testFile } from './support/paths';
import { json, MarketplaceProcess, spawnMarketplace, userFetch } from './support/marketplace.process';

const PHOTO = readFileSync(testFile('faces', 'sample2.jpg'));

interface JobSummary {
  id: string;
  status: string;
  seq: number;
}

describe('a marketplace process killed while jobs run', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aim-restart-'));
  let marketplace: MarketplaceProcess | undefined;
  afterAll(async () => {
    await marketplace?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes every accepted job after a restart: none lost, none left running', async () => {
    // A killed process holds its jobs until their lease runs out; the restarted one is a new replica.
    const env = { DATA_DIR: dataDir, SERVICE_CONCURRENCY: '1', SERVICE_QUEUE_LIMIT: '0', LOG_LEVEL: 'warn', JOB_LEASE_MS: '1500' };
    marketplace = await spawnMarketplace(env);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const form = new FormData();
      form.append('image', new Blob([PHOTO], { type: 'image/jpeg' }), 'sample2.jpg');
      form.append('params', JSON.stringify({ sigma: 40 }));
      ids.push((await json<JobSummary>(await userFetch(`${marketplace.url}/api/v1/services/image-processing/tasks/blur/jobs`, { method: 'POST', body: form }))).id);
    }
    // Kill once some jobs are done and others are still waiting or running.
    for (let i = 0; ; i++) {
      const stats = await json<{ jobs: Record<string, number> }>(await userFetch(`${marketplace.url}/api/v1/stats`));
      if (stats.jobs['succeeded'] >= 1) break;
      if (i > 400) throw new Error('no job finished before the kill');
      await sleep(25);
    }
    await marketplace.kill();

    marketplace = await spawnMarketplace(env);
    const before = await json<{ jobs: Record<string, number> }>(await userFetch(`${marketplace.url}/api/v1/stats`));
    expect(before.jobs['queued'] + before.jobs['running']).toBeGreaterThan(0);
    let jobs: JobSummary[] = [];
    for (let i = 0; i < 600; i++) {
      jobs = await Promise.all(ids.map(async (id) => json<JobSummary>(await userFetch(`${marketplace!.url}/api/v1/jobs/${id}`))));
      if (jobs.every((job) => ['succeeded', 'failed', 'cancelled'].includes(job.status))) break;
      await sleep(50);
    }
    expect(jobs.map((job) => job.status)).toEqual(ids.map(() => 'succeeded'));
    // Every event was kept, numbered without a gap across the crash.
    for (const job of jobs) {
      const events = await (await userFetch(`${marketplace.url}/api/v1/jobs/${job.id}/events`)).text();
      const seqs = [...events.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      expect(seqs).toEqual(Array.from({ length: job.seq }, (_, i) => i + 1));
    }
  }, 60_000);

  it('refuses to start with a wrong configuration, naming the variable', async () => {
    await expect(spawnMarketplace({ DATA_DIR: dataDir, STEP_MAX_ATTEMPTS: 'many' })).rejects.toThrow(/exited with 78[\s\S]*STEP_MAX_ATTEMPTS/);
  });
});
