import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MarketplaceProcess, spawnMarketplace, userFetch } from './support/marketplace.process';
import { testFile } from './support/paths';

const PHOTO = readFileSync(testFile('faces', 'sample1.jpg'));

/**
 * Cancels racing the engine's slot grants once ended the process: tfjs-wasm turns any rejection nobody
 * listens to into a crash. Only the built product with the real models loaded can show it.
 */
describe('cancelling running AI jobs in the built marketplace', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aim-cancel-'));
  let marketplace: MarketplaceProcess;

  beforeAll(async () => {
    marketplace = await spawnMarketplace({ DATA_DIR: dataDir, ML_BACKEND: 'wasm', LOG_LEVEL: 'warn' });
  }, 120_000);
  afterAll(async () => {
    await marketplace?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the server up through 50 cancels at every moment of a job, and leaves each job cancelled or ended', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const form = new FormData();
      form.append('image', new Blob([PHOTO], { type: 'image/jpeg' }), 'sample1.jpg');
      const pipeline = i % 2 ? 'analyse-faces' : 'anonymise-faces';
      const submitted = await userFetch(`${marketplace.url}/api/v1/pipelines/${pipeline}/jobs`, { method: 'POST', body: form });
      expect(submitted.status).toBe(202);
      const { id } = (await submitted.json()) as { id: string };
      ids.push(id);
      // From at once to well into the analysis, so the cancel lands before, during and after slot grants.
      await sleep((i * 7) % 180);
      const cancelled = await userFetch(`${marketplace.url}/api/v1/jobs/${id}/cancel`, { method: 'POST' });
      expect([200, 409]).toContain(cancelled.status);
      expect(marketplace.child.exitCode).toBeNull();
    }
    await sleep(1500); // work that was aborted settles after the answer
    expect(marketplace.child.exitCode).toBeNull();
    expect((await userFetch(`${marketplace.url}/health/live`)).status).toBe(200);
    const statuses = await Promise.all(ids.map(async (id) => ((await (await userFetch(`${marketplace.url}/api/v1/jobs/${id}`)).json()) as { status: string }).status));
    expect(statuses.filter((status) => status === 'cancelled').length).toBeGreaterThan(25);
    expect(statuses.every((status) => ['cancelled', 'succeeded'].includes(status))).toBe(true);
    // The root cause is fixed, not only caught: nothing reached the process's last-resort handler.
    const metrics = await (await userFetch(`${marketplace.url}/metrics`)).text();
    expect(metrics).toMatch(/^marketplace_unhandled_rejections_total 0$/m);
  }, 180_000);
});
