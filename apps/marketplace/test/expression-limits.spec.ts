import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { MarketplaceProcess, spawnMarketplace, userFetch } from './support/marketplace.process';

const ADMIN_KEY = 'expression-limits-admin-key';
const NEVER_ENDS = '($f := function($x){$f($x)}; $f(1))';

/** A pipeline author's expression that never ends once froze the process, and every restart after it. */
describe('a pipeline expression that never ends', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aim-expr-'));
  // The killed process holds its jobs until their lease runs out; the restarted one (a new replica) then takes them.
  const env = { DATA_DIR: dataDir, ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'error', JOB_LEASE_MS: '1500' };
  let marketplace: MarketplaceProcess | undefined;
  afterAll(async () => {
    await marketplace?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails its jobs with EXPRESSION_LIMIT, and a restart with such jobs unfinished serves at once', async () => {
    marketplace = await spawnMarketplace(env);
    const created = await userFetch(`${marketplace.url}/api/v1/pipelines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
      body: JSON.stringify({
        id: 'never-ends',
        name: 'Never ends',
        inputs: { image: { contentTypes: ['image/png'] } },
        steps: [{ id: 'grey', service: 'image-processing', task: 'greyscale', inputs: { image: 'inputs.image' }, when: NEVER_ENDS }],
        outputs: { image: 'grey.image' },
      }),
    });
    expect(created.status).toBe(201);
    const png = (await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } }).png().toBuffer()).toString('base64');
    const submit = async (url: string) => {
      const response = await userFetch(`${url}/api/v1/pipelines/never-ends/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: { image: { base64: png } } }),
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as { id: string }).id;
    };
    const ids = await Promise.all(Array.from({ length: 15 }, () => submit(marketplace!.url)));
    await marketplace.kill();

    const db = new Database(join(dataDir, 'marketplace.sqlite'), { readonly: true });
    const unfinished = db.prepare(`SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')`).pluck().get() as number;
    db.close();
    expect(unfinished).toBeGreaterThan(0);

    marketplace = await spawnMarketplace(env); // waits until /health/ready answers
    expect((await userFetch(`${marketplace.url}/health/live`)).status).toBe(200);
    ids.push(await submit(marketplace.url));
    type Job = { status: string; error?: { code: string; message: string } };
    let jobs: Job[] = [];
    for (let i = 0; i < 200; i++) {
      jobs = await Promise.all(ids.map(async (id) => (await (await userFetch(`${marketplace!.url}/api/v1/jobs/${id}`)).json()) as Job));
      if (jobs.every((job) => job.status === 'failed')) break;
      await sleep(50);
    }
    for (const job of jobs) {
      expect(job).toMatchObject({ status: 'failed', error: { code: 'EXPRESSION_LIMIT', message: expect.stringMatching(/was stopped: it worked longer than 100 ms/) } });
    }
  }, 120_000);
});
