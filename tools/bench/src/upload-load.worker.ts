import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';

export interface UploadLoadOptions {
  /** Where to POST the multipart form (one file field `image`, `params` as JSON text). */
  submitUrl: string;
  /** The job's URL, with `{id}` for its id; polled until its status is in `done`. */
  pollUrl: string;
  headers: Record<string, string>;
  file: Uint8Array;
  filename: string;
  contentType: string;
  params: Record<string, unknown>;
  clients: number;
  jobs: number;
  pollMs: number;
  done: string[];
  succeeded: string[];
}

export interface UploadLoadResult {
  startedAt: number;
  endedAt: number;
  completed: number;
  failed: number;
  polls: number;
  submitMs: number[];
  totalMs: number[];
}

/**
 * Load from another thread (so the server's event loop is not the client's): `clients` loops, each
 * uploading a file, then polling its job until it ends, as a program using the API would.
 */
async function run(options: UploadLoadOptions): Promise<UploadLoadResult> {
  const submitMs: number[] = [];
  const totalMs: number[] = [];
  let completed = 0;
  let failed = 0;
  let polls = 0;
  let next = 0;
  const blob = new Blob([options.file], { type: options.contentType });
  const startedAt = performance.timeOrigin + performance.now();
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (next++ < options.jobs) {
        const started = performance.now();
        const form = new FormData();
        form.append('image', blob, options.filename);
        form.append('params', JSON.stringify(options.params));
        const response = await fetch(options.submitUrl, { method: 'POST', body: form, headers: options.headers });
        const job = (await response.json()) as { id?: string };
        submitMs.push(performance.now() - started);
        if (response.status !== 202 || !job.id) {
          failed++;
          continue;
        }
        const url = options.pollUrl.replace('{id}', job.id);
        for (;;) {
          const poll = (await (await fetch(url, { headers: options.headers })).json()) as { status: string };
          polls++;
          if (options.done.includes(poll.status)) {
            if (options.succeeded.includes(poll.status)) completed++;
            else failed++;
            break;
          }
          await sleep(options.pollMs);
        }
        totalMs.push(performance.now() - started);
      }
    }),
  );
  return { startedAt, endedAt: performance.timeOrigin + performance.now(), completed, failed, polls, submitMs, totalMs };
}

void run(workerData as UploadLoadOptions).then((result) => parentPort!.postMessage(result));
