import { randomUUID } from 'node:crypto';
import { Agent, IncomingMessage, request } from 'node:http';
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
  /** Sent as `Prefer: wait=N` with the submit and every poll: the server may answer once the job has ended. */
  waitSeconds?: number;
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

/** The multipart form a browser or `curl -F` sends: `image` as a file part, `params` as JSON text. */
function multipartForm(options: UploadLoadOptions): { body: Buffer; contentType: string } {
  const boundary = `----bench${randomUUID().replace(/-/g, '')}`;
  const head = (disposition: string, type?: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n`;
  const body = Buffer.concat([
    Buffer.from(head(`name="image"; filename="${options.filename}"`, options.contentType)),
    Buffer.from(options.file),
    Buffer.from(`\r\n${head('name="params"')}${JSON.stringify(options.params)}\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Load from another thread (so the server's event loop is not the client's): `clients` loops, each
 * uploading a file, then polling its job until it ends, as a program using the API would. Plain
 * `node:http` on kept-alive connections with the form built once: the client's own cost is kept small so
 * that the figures measure the servers, which share these cores with it.
 */
async function run(options: UploadLoadOptions): Promise<UploadLoadResult> {
  const submitMs: number[] = [];
  const totalMs: number[] = [];
  let completed = 0;
  let failed = 0;
  let polls = 0;
  let next = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const form = multipartForm(options);
  const prefer: Record<string, string> = options.waitSeconds ? { prefer: `wait=${options.waitSeconds}` } : {};
  const call = (url: string, method: string, headers: Record<string, string | number>, body?: Buffer) =>
    new Promise<{ status: number; json: unknown }>((resolve, reject) => {
      const req = request(url, { method, agent, headers: { ...options.headers, ...headers } }, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            resolve({ status: response.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch (error) {
            reject(error);
          }
        });
        response.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  const startedAt = performance.timeOrigin + performance.now();
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (next++ < options.jobs) {
        const started = performance.now();
        const submitted = await call(options.submitUrl, 'POST', { ...prefer, 'content-type': form.contentType, 'content-length': form.body.length }, form.body);
        const job = submitted.json as { id?: string; status?: string };
        submitMs.push(performance.now() - started);
        if (![200, 202].includes(submitted.status) || !job.id) {
          failed++;
          continue;
        }
        const url = options.pollUrl.replace('{id}', job.id);
        // The submit's answer may already be the end (when the server waited); otherwise poll for it.
        let status = job.status ?? '';
        while (!options.done.includes(status)) {
          await sleep(options.pollMs);
          status = ((await call(url, 'GET', prefer)).json as { status: string }).status;
          polls++;
        }
        if (options.succeeded.includes(status)) completed++;
        else failed++;
        totalMs.push(performance.now() - started);
      }
    }),
  );
  agent.destroy();
  return { startedAt, endedAt: performance.timeOrigin + performance.now(), completed, failed, polls, submitMs, totalMs };
}

void run(workerData as UploadLoadOptions).then((result) => parentPort!.postMessage(result));
