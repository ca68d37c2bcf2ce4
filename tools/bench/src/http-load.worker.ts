import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

interface Options {
  url?: string;
  /** Several engines: client i submits to urls[i % urls.length]. */
  urls?: string[];
  clients: number;
  jobs: number;
}

/** Load from another thread (so on the other core): `clients` loops submitting one-step jobs over HTTP. */
async function run({ url, urls = [url as string], clients, jobs }: Options): Promise<void> {
  const ids: string[] = [];
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const body = JSON.stringify({ inputs: { data: { value: { n: 1 } } } });
  const startedAt = performance.timeOrigin + performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      const target = urls[client % urls.length];
      while (next++ < jobs) {
        const started = performance.now();
        const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const job = (await response.json()) as { id?: string };
        latencies.push(performance.now() - started);
        if (response.status === 202 && job.id) ids.push(job.id);
        else errors++;
      }
    }),
  );
  parentPort!.postMessage({ ids, latencies, startedAt, errors });
}

void run(workerData as Options);
