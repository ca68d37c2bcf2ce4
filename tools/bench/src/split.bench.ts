import { ClientProxyFactory } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskInvoker, TaskRequest } from '@aim/contracts';
import { BlobStore, FolderBlobStore, NatsObjectBlobStore } from '@aim/blob-store';
import { LocalTaskInvoker, ServiceHost } from '@aim/service-kit';
import { freePort, NodeAppProcess, reachable, spawnNodeApp } from '@aim/test-support';
import { clientOptions, RemoteTaskInvoker, TransportOptions, TransportTaskEntry } from '@aim/transport';
import { NoopService } from './noop.service';
import { fixed, median, percentile, table } from './stats';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** Whether the NATS server of `url` (its first address) accepts connections. */
function natsReachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url.split(',')[0]);
  return reachable(Number(port), hostname, 500);
}

interface Binding {
  name: string;
  invoker: TaskInvoker;
  blobs: BlobStore;
  close(): Promise<void>;
}

async function bindings(): Promise<Binding[]> {
  const folder = mkdtempSync(join(tmpdir(), 'aim-bench-split-'));
  const local = new FolderBlobStore(folder);
  const localHost = new ServiceHost(new NoopService(), { concurrency: 8, queueLimit: 64 }, local);
  const result: Binding[] = [{ name: 'in process', invoker: new LocalTaskInvoker([localHost]), blobs: local, close: async () => rmSync(folder, { recursive: true, force: true }) }];

  if (await natsReachable(NATS_URL)) {
    const nats: TransportOptions = { kind: 'nats', url: NATS_URL };
    const blobs = new NatsObjectBlobStore({ url: NATS_URL, bucket: `aim-bench-${randomUUID().slice(0, 8)}`, ttlMs: 3600_000, operationTimeoutMs: 10_000 });
    const entry = new TransportTaskEntry(nats, 5000);
    await entry.open([new ServiceHost(new NoopService(), { concurrency: 8, queueLimit: 64 }, blobs)]);
    const client = ClientProxyFactory.create(clientOptions(nats));
    result.push({
      name: 'NATS',
      invoker: new RemoteTaskInvoker(() => client),
      blobs,
      close: async () => {
        await client.close();
        await entry.close();
        await blobs.close();
      },
    });
  } else {
    console.log(`(no NATS server at ${NATS_URL}: the NATS rows are left out)`);
  }

  const endpoint = { host: '127.0.0.1', port: await freePort() };
  const tcp: TransportOptions = { kind: 'tcp', engine: { host: '127.0.0.1', port: await freePort() }, services: { noop: endpoint } };
  const tcpEntry = new TransportTaskEntry(tcp, 5000, endpoint);
  await tcpEntry.open([new ServiceHost(new NoopService(), { concurrency: 8, queueLimit: 64 }, local)]);
  const tcpClient = ClientProxyFactory.create(clientOptions(tcp, endpoint));
  result.push({
    name: 'TCP',
    invoker: new RemoteTaskInvoker(() => tcpClient),
    blobs: local,
    close: async () => {
      tcpClient.close();
      await tcpEntry.close();
    },
  });
  return result;
}

/** Latencies of `calls` one-after-another calls, in ms. */
async function latencies(invoker: TaskInvoker, request: TaskRequest, calls: number): Promise<number[]> {
  const times: number[] = [];
  // Each call has a signal of its own, as each step attempt of the engine has.
  const options = () => ({ signal: new AbortController().signal, timeoutMs: 10_000 });
  for (let i = 0; i < 50; i++) await invoker.invoke(request, options());
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await invoker.invoke(request, options());
    times.push(performance.now() - started);
  }
  return times;
}

/** Calls per second with `concurrency` calls in flight. */
async function throughput(invoker: TaskInvoker, request: TaskRequest, calls: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < calls) await invoker.invoke(request, { signal: new AbortController().signal, timeoutMs: 10_000 });
  }));
  return (calls / (performance.now() - started)) * 1000;
}

/** What a step costs on each binding: the no-op task, once with a JSON input and once with a 64 KB file in the blob store. */
async function stepOverhead(): Promise<void> {
  console.log('\n## Split shape: what one step adds, by binding (a no-op task; the file row reads and writes its blob store)');
  const rows: (string | number)[][] = [['binding', 'input', 'p50 ms', 'p99 ms', 'added p50 ms', 'calls/s (16 at once)']];
  const all = await bindings();
  try {
    const file = Buffer.alloc(64 * 1024, 7);
    let localP50: Record<string, number> = {};
    for (const binding of all) {
      await binding.blobs.put('bench/inputs/data', file);
      const cases: [string, TaskRequest][] = [
        ['JSON', { service: 'noop', task: 'pass', inputs: { data: { contentType: 'application/json', size: 2, value: { a: 1 } } }, params: {}, outputPrefix: 'bench/out' }],
        ['64 KB file', { service: 'noop', task: 'file', inputs: { data: { contentType: 'application/octet-stream', size: file.length, blobKey: 'bench/inputs/data' } }, params: {}, outputPrefix: 'bench/out' }],
      ];
      for (const [input, request] of cases) {
        const times = await latencies(binding.invoker, request, 1000);
        const p50 = median(times);
        if (binding.name === 'in process') localP50 = { ...localP50, [input]: p50 };
        rows.push([binding.name, input, fixed(p50, 3), fixed(percentile(times, 99), 3), fixed(p50 - (localP50[input] ?? p50), 3), fixed(await throughput(binding.invoker, request, 2000, 16), 0)]);
      }
    }
  } finally {
    for (const binding of all) await binding.close();
  }
  console.log(table(rows));
}

/** Face detection through the split engine with one and with two instances of the service, jobs/s. */
async function replicas(root: string, testData: string, jobs: number): Promise<void> {
  console.log(`\n## Split shape: a one-step face-detection job, ${jobs} jobs, 8 clients waiting (Prefer: wait), one instance against two`);
  if (!(await natsReachable(NATS_URL))) {
    console.log(`(no NATS server at ${NATS_URL}: left out)`);
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'aim-bench-replicas-'));
  const key = 'bench-user-key-0123456789';
  const env = { TRANSPORT: 'nats', NATS_URL, BLOB_BUCKET: `aim-bench-${randomUUID().slice(0, 8)}`, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ML_BACKEND: 'wasm', HEARTBEAT_INTERVAL_MS: '500', SUBMIT_RATE_PER_SECOND: '0', API_KEYS: key };
  const spawn = async (app: string) => spawnNodeApp(join(root, 'dist/apps', app, 'main.js'), { cwd: root, port: await freePort(), env, timeoutMs: 120_000 });
  const processes: NodeAppProcess[] = [];
  const photo = readFileSync(join(testData, 'faces/sample1.jpg'));
  try {
    const engine = await spawn('engine');
    processes.push(engine);
    const run = async (count: number): Promise<number> => {
      let next = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next++ < count) {
          const form = new FormData();
          form.append('image', new Blob([photo]), 'photo.jpg');
          const response = await fetch(`${engine.url}/api/v1/services/face-detection/tasks/detect/jobs`, { method: 'POST', body: form, headers: { 'x-api-key': key, prefer: 'wait=60' } });
          const job = (await response.json()) as { status: string };
          if (job.status !== 'succeeded') throw new Error(`a job ended ${job.status}: ${JSON.stringify(job).slice(0, 300)}`);
        }
      }));
      return (count / (performance.now() - started)) * 1000;
    };
    const waitForInstances = async (count: number) => {
      for (let i = 0; i < 600; i++) {
        const services = (await (await fetch(`${engine.url}/api/v1/services`, { headers: { 'x-api-key': key } })).json()) as { name: string; instances: { available: boolean }[] }[];
        if ((services.find((s) => s.name === 'face-detection')?.instances.filter((instance) => instance.available).length ?? 0) >= count) return;
        await sleep(100);
      }
      throw new Error(`${count} instance(s) of face-detection did not show`);
    };
    const figures: number[][] = [[], []];
    processes.push(await spawn('face-detection'));
    await waitForInstances(1);
    await run(40);
    figures[0].push(await run(jobs));
    processes.push(await spawn('face-detection'));
    await waitForInstances(2);
    await run(40);
    figures[1].push(await run(jobs));
    const [one, two] = figures.map((values) => median(values));
    console.log(table([['instances', 'jobs/s', 'against one'], ['1', fixed(one, 1), '1.00'], ['2', fixed(two, 1), fixed(two / one, 2)]]));
  } finally {
    for (const process of processes.reverse()) await process.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchSplit(options: { root: string; testData: string; jobs: number }): Promise<void> {
  await stepOverhead();
  await replicas(options.root, options.testData, options.jobs);
}
