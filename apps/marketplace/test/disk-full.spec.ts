import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { MarketplaceProcess, spawnMarketplace, userFetch, waitUntilReady } from './support/marketplace.process';

/**
 * The data folder is a 24 MB tmpfs of the marketplace's own (a user and mount namespace made with
 * `unshare`), filled up while jobs run. The test reaches the folder through /proc/<pid>/root, the
 * marketplace's view of the file system. The node process runs in a loop, so it can be killed and
 * started again on the same full disk.
 */
const LAUNCHER = [
  'unshare',
  '-rm',
  'sh',
  '-c',
  'mount -t tmpfs -o size=24m tmpfs "$DATA_DIR" || exit 97; while :; do "$0" "$@"; [ -e "$DATA_DIR/.stop" ] && exit 0; done',
];

type Job = { id: string; status: string; steps: { status: string }[]; outputs: Record<string, { url: string }> };

describe('a full data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aim-full-'));
  let marketplace: MarketplaceProcess;
  let view: string;
  const nodePid = () => Number(execFileSync('pgrep', ['-P', String(marketplace.child.pid)], { encoding: 'utf8' }).trim().split('\n')[0]);
  const api = (path: string, init?: RequestInit) => userFetch(`${marketplace.url}/api/v1${path}`, init);
  const job = async (id: string) => (await (await api(`/jobs/${id}`)).json()) as Job;

  beforeAll(async () => {
    marketplace = await spawnMarketplace({ DATA_DIR: dataDir, LOG_LEVEL: 'error', RETRY_BASE_DELAY_MS: '50' }, LAUNCHER);
    view = `/proc/${marketplace.child.pid}/root${dataDir}`;
  }, 120_000);
  afterAll(async () => {
    if (marketplace?.child.exitCode === null) {
      closeSync(openSync(join(view, '.stop'), 'w'));
      process.kill(nodePid(), 'SIGTERM');
      await sleep(500);
      marketplace.child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  function fillDisk(): string {
    const filler = join(view, 'filler');
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(256 * 1024, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
    return filler;
  }

  function filesUnder(folder: string): string[] {
    return readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((path) => statSync(join(folder, path)).isFile());
  }

  it('answers 507, stays up, restarts while full, and finishes every accepted job once space returns', async () => {
    expect(existsSync(view)).toBe(true);
    const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#3a7' } })
      .composite([{ input: Buffer.from('<svg width="1600" height="1200"><circle cx="800" cy="600" r="400" fill="#c33"/></svg>') }])
      .jpeg()
      .toBuffer();
    const submit = () => {
      const form = new FormData();
      form.append('image', new Blob([photo], { type: 'image/jpeg' }), 'photo.jpg');
      form.append('params', JSON.stringify({ sigma: 40 }));
      return api('/services/image-processing/tasks/blur/jobs', { method: 'POST', body: form });
    };
    const accepted: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await submit();
      expect(response.status).toBe(202);
      accepted.push(((await response.json()) as Job).id);
    }
    const filler = fillDisk();

    const refused = await submit();
    expect(refused.status).toBe(507);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ code: 'INSUFFICIENT_STORAGE', message: expect.stringMatching(/full/) });
    expect((await userFetch(`${marketplace.url}/health/live`)).status).toBe(200);

    await sleep(2000);
    for (const id of accepted) {
      const { status, steps } = await job(id);
      // Never "succeeded" with a step that did not: either done for real, or still waiting for space.
      expect(status === 'succeeded' ? steps.every((step) => step.status === 'succeeded') : ['queued', 'running'].includes(status)).toBe(true);
    }

    // Killed and started again on the full disk: it must come up and answer.
    const before = nodePid();
    process.kill(before, 'SIGKILL');
    for (let i = 0; i < 100 && (await sleep(50), true); i++) {
      try {
        if (nodePid() !== before) break;
      } catch {
        // between the two processes
      }
    }
    await waitUntilReady(marketplace.url, marketplace.child, marketplace.output);
    expect((await submit()).status).toBe(507);

    unlinkSync(filler);
    const deadline = Date.now() + 60_000;
    let jobs: Job[] = [];
    do {
      await sleep(250);
      jobs = await Promise.all(accepted.map(job));
    } while (jobs.some((j) => j.status !== 'succeeded' && j.status !== 'failed') && Date.now() < deadline);
    expect(jobs.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    for (const { outputs } of jobs) {
      const image = Buffer.from(await (await userFetch(`${marketplace.url}${outputs['image'].url}`)).arrayBuffer());
      expect(await sharp(image).metadata()).toMatchObject({ format: 'jpeg', width: 1600, height: 1200 });
    }
    const files = filesUnder(join(view, 'blobs'));
    expect(files.filter((file) => file.endsWith('.tmp'))).toEqual([]);
    // Files are named after their job (`jobs/~<2 chars>/<job id>~inputs~image`): every one belongs to an accepted job.
    const owners = new Set(filesUnder(join(view, 'blobs', 'jobs')).map((path) => basename(path).split('~')[0]));
    expect([...owners].sort()).toEqual([...accepted].sort());
    expect((await submit()).status).toBe(202);
  }, 150_000);
});
