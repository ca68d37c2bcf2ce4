import { ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { freePort, reachable } from '@aim/test-support';
import { fixed, median, percentile, table } from './stats';
import type { UploadLoadOptions, UploadLoadResult } from './upload-load.worker';

const BENCH_KEY = 'bench-user-key-0123456789';
const TICKS_PER_SECOND = 100; // Linux USER_HZ, the unit of /proc/<pid>/stat times

interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  load: (image: ImageCase) => Pick<UploadLoadOptions, 'submitUrl' | 'pollUrl' | 'headers' | 'done' | 'succeeded'>;
  stop: () => Promise<void>;
}

interface ImageCase {
  label: string;
  file: Buffer;
  filename: string;
  contentType: string;
  jobs: number;
}

interface Run {
  jobsPerSecond: number;
  submitP50: number;
  totalP50: number;
  mainThreadCpuMsPerJob: number;
  /** Every thread of the server process (sharp's and libuv's included); the peer's Redis is not counted. */
  processCpuMsPerJob: number;
  pollsPerJob: number;
  failed: number;
}

async function waitForHttp(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode}`);
    if (await fetch(url).then((r) => r.status < 500, () => false)) return;
    await sleep(50);
  }
  throw new Error(`${url} did not answer`);
}

/** CPU time of a process's main thread (the event loop), or of the whole process with `all`, in ms. */
function cpuMs(pid: number, all = false): number {
  const fields = readFileSync(all ? `/proc/${pid}/stat` : `/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

async function startMarketplace(root: string, dataDir: string): Promise<Server> {
  const port = await freePort();
  const child = fork(join(root, 'dist/apps/marketplace/main.js'), [], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, API_KEYS: BENCH_KEY, SUBMIT_RATE_PER_SECOND: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health/ready`, child);
  return {
    name: 'marketplace',
    url,
    child,
    load: () => ({
      submitUrl: `${url}/api/v1/pipelines/thumbnail/jobs`,
      // What a poll needs is the status: the API answers only that field when asked.
      pollUrl: `${url}/api/v1/jobs/{id}?fields=status`,
      headers: { 'x-api-key': BENCH_KEY },
      done: ['succeeded', 'failed', 'cancelled'],
      succeeded: ['succeeded'],
    }),
    stop: () => stop(child),
  };
}

async function startPeer(dataDir: string): Promise<Server> {
  const port = await freePort();
  const child = fork(join(__dirname, 'bullmq-peer.js'), [], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([once(child, 'message'), once(child, 'exit').then(() => Promise.reject(new Error('the BullMQ peer exited')))]);
  return {
    name: 'BullMQ peer',
    url,
    child,
    load: () => ({ submitUrl: `${url}/jobs`, pollUrl: `${url}/jobs/{id}`, headers: {}, done: ['completed', 'failed'], succeeded: ['completed'] }),
    stop: () => stop(child),
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await Promise.race([once(child, 'exit'), sleep(5000).then(() => child.kill('SIGKILL'))]);
}

/** How the client learns that its job has ended: by polling, or by asking the server to wait (`Prefer: wait`). */
type Mode = 'polled' | 'waited';
const MODES: Mode[] = ['polled', 'waited'];

async function load(server: Server, image: ImageCase, clients: number, jobs: number, pollMs: number, mode: Mode = 'polled'): Promise<Run> {
  const options: UploadLoadOptions = {
    waitSeconds: mode === 'waited' ? 30 : undefined,
    ...server.load(image),
    file: new Uint8Array(image.file),
    filename: image.filename,
    contentType: image.contentType,
    params: { width: 256 },
    clients,
    jobs,
    pollMs,
  };
  const pid = server.child.pid!;
  const [mainBefore, processBefore] = [cpuMs(pid), cpuMs(pid, true)];
  const worker = new Worker(join(__dirname, 'upload-load.worker.js'), { workerData: options });
  const [result] = (await once(worker, 'message')) as [UploadLoadResult];
  await worker.terminate();
  const [mainCpu, processCpu] = [cpuMs(pid) - mainBefore, cpuMs(pid, true) - processBefore];
  return {
    jobsPerSecond: (result.completed / (result.endedAt - result.startedAt)) * 1000,
    submitP50: percentile(result.submitMs, 50),
    totalP50: percentile(result.totalMs, 50),
    mainThreadCpuMsPerJob: mainCpu / Math.max(1, result.completed),
    processCpuMsPerJob: processCpu / Math.max(1, result.completed),
    pollsPerJob: result.polls / Math.max(1, result.completed),
    failed: result.failed,
  };
}

/** The same resize, called straight from Node on bytes in memory, 8 at a time: what the work itself costs. */
async function rawSharp(image: ImageCase): Promise<number> {
  const format = image.contentType === 'image/png' ? 'png' : 'jpeg';
  const once = () => sharp(image.file).resize({ width: 256, fit: 'inside', withoutEnlargement: true }).toFormat(format).toBuffer();
  for (let i = 0; i < 20; i++) await once();
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next++ < image.jobs) await once();
  }));
  return (image.jobs / (performance.now() - started)) * 1000;
}

/**
 * The product as users load it, beside what a Node team would otherwise build: the built marketplace
 * and the BullMQ peer as processes of their own, the same multipart uploads and resize, the same client
 * (32 at once, every job polled to its end), runs interleaved, medians reported.
 */
/** What the real path answers for the summary: the marketplace's jobs/s and raw sharp's, per image and client. */
export interface RealPathFigures {
  rows: { image: string; mode: Mode; marketplace: number; peer: number; rawSharp: number }[];
}

export async function benchRealPath(options: { root: string; testData: string; rounds: number; clients: number }): Promise<RealPathFigures> {
  const photo = readFileSync(join(options.testData, 'faces/sample1.jpg'));
  const images: ImageCase[] = [
    { label: '16x16 PNG', file: await sharp(photo).resize(16, 16).png().toBuffer(), filename: 'small.png', contentType: 'image/png', jobs: 2000 },
    { label: '1920x1080 JPEG', file: await sharp(photo).resize(1920, 1080, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer(), filename: 'photo.jpg', contentType: 'image/jpeg', jobs: 300 },
  ];
  const folder = mkdtempSync(join(tmpdir(), 'aim-real-path-'));
  const servers = [await startMarketplace(options.root, join(folder, 'marketplace'))];
  if (await reachable(6379, '127.0.0.1', 500)) servers.push(await startPeer(join(folder, 'peer')));
  else console.log('(no Redis on 127.0.0.1:6379: the BullMQ peer is left out)');
  console.log(
    `\n## The real path: multipart upload, thumbnail (width 256, never enlarged), every job followed to its end (polled, or waited for with Prefer: wait); ${options.clients} clients, ${options.rounds} interleaved rounds, medians; p50 = submit to done`,
  );
  try {
    const results = new Map<string, Run[]>();
    const record = (key: string, run: Run) => results.set(key, [...(results.get(key) ?? []), run]);
    for (const server of servers) await load(server, images[0], options.clients, 200, 2); // warm-up
    for (let round = 0; round < options.rounds; round++) {
      for (const mode of MODES) {
        for (const image of images) {
          for (const server of servers) record(`${server.name} ${image.label} ${mode}`, await load(server, image, options.clients, image.jobs, 5, mode));
        }
      }
    }
    for (const server of servers) for (let round = 0; round < options.rounds; round++) record(`${server.name} at rest`, await load(server, images[0], 1, 100, 1));
    const med = (key: string, pick: (run: Run) => number) => (results.has(key) ? median(results.get(key)!.map(pick)) : NaN);
    const [marketplace, peer] = ['marketplace', 'BullMQ peer'];
    const figures: RealPathFigures = { rows: [] };
    const rows: (string | number)[][] = [['work', 'client', 'marketplace jobs/s', 'p50 ms', 'peer jobs/s', 'p50 ms', 'ratio', 'raw sharp jobs/s', 'failed']];
    for (const image of images) {
      const sharpJobsPerSecond = await rawSharp(image);
      const sharpAlone = fixed(sharpJobsPerSecond, 0);
      for (const mode of MODES) {
        const [ours, theirs] = [`${marketplace} ${image.label} ${mode}`, `${peer} ${image.label} ${mode}`];
        figures.rows.push({ image: image.label, mode, marketplace: med(ours, (r) => r.jobsPerSecond), peer: med(theirs, (r) => r.jobsPerSecond), rawSharp: sharpJobsPerSecond });
        const failed = [...(results.get(ours) ?? []), ...(results.get(theirs) ?? [])].reduce((sum, r) => sum + r.failed, 0);
        rows.push([
          `${image.label}, ${image.jobs} jobs`,
          mode === 'polled' ? 'polls every 5 ms' : 'Prefer: wait=30',
          fixed(med(ours, (r) => r.jobsPerSecond), 0),
          fixed(med(ours, (r) => r.totalP50), 1),
          fixed(med(theirs, (r) => r.jobsPerSecond), 0),
          fixed(med(theirs, (r) => r.totalP50), 1),
          fixed(med(ours, (r) => r.jobsPerSecond) / med(theirs, (r) => r.jobsPerSecond), 2),
          sharpAlone,
          failed,
        ]);
      }
    }
    console.log(table(rows));
    console.log(
      table([
        ['one job at rest (16x16 PNG)', 'marketplace', 'peer'],
        ['submit to done, p50 ms (polled every 1 ms)', fixed(med(`${marketplace} at rest`, (r) => r.totalP50), 1), fixed(med(`${peer} at rest`, (r) => r.totalP50), 1)],
        ...MODES.flatMap((mode) => [
          [`polls per job under load (16x16, ${mode})`, fixed(med(`${marketplace} 16x16 PNG ${mode}`, (r) => r.pollsPerJob), 1), fixed(med(`${peer} 16x16 PNG ${mode}`, (r) => r.pollsPerJob), 1)],
          [
            `main-thread CPU per job under load, ms (16x16, ${mode})`,
            fixed(med(`${marketplace} 16x16 PNG ${mode}`, (r) => r.mainThreadCpuMsPerJob), 2),
            fixed(med(`${peer} 16x16 PNG ${mode}`, (r) => r.mainThreadCpuMsPerJob), 2),
          ],
          [
            `process CPU per job under load, ms (16x16, ${mode})`,
            fixed(med(`${marketplace} 16x16 PNG ${mode}`, (r) => r.processCpuMsPerJob), 2),
            fixed(med(`${peer} 16x16 PNG ${mode}`, (r) => r.processCpuMsPerJob), 2),
          ],
        ]),
      ]),
    );
    return figures;
  } finally {
    for (const server of servers) await server.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}
