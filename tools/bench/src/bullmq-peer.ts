import busboy from 'busboy';
import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import express from 'express';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import sharp from 'sharp';

/**
 * What a Node team would otherwise build for the same work, for the benchmark to compare with: Express,
 * busboy streaming the upload to disk, a BullMQ queue on Redis (jobs kept there), a sharp worker with
 * concurrency 8 writing the thumbnail to disk. Like the marketplace it honours `Prefer: wait=N` on the
 * submit and the poll, with BullMQ's own `waitUntilFinished`. Run as its own process: PORT, DATA_DIR,
 * REDIS_PORT, QUEUE.
 */
const dataDir = process.env['DATA_DIR']!;
const connection = { host: '127.0.0.1', port: Number(process.env['REDIS_PORT'] ?? 6379) };
const queueName = process.env['QUEUE'] ?? `thumbnails-${randomUUID()}`;
mkdirSync(dataDir, { recursive: true });

const queue = new Queue(queueName, { connection });
queue.setMaxListeners(0); // every waiting request listens for the queue closing
// Opened by the first request that waits: a peer only polled does not pay for reading the event stream.
let queueEvents: QueueEvents | undefined;

/** The job's answer, after waiting for its end when the request asks to (`Prefer: wait=N`). */
async function answer(request: express.Request, job: Job): Promise<{ id?: string; status: string; result: unknown }> {
  const wait = /wait=(\d+)/.exec(request.header('prefer') ?? '');
  if (!wait) return { id: job.id, status: await job.getState(), result: job.returnvalue };
  queueEvents ??= new QueueEvents(queueName, { connection });
  await job.waitUntilFinished(queueEvents, Number(wait[1]) * 1000).catch(() => undefined);
  const now = (await Job.fromId(queue, job.id!)) ?? job;
  return { id: job.id, status: await now.getState(), result: now.returnvalue };
}
const worker = new Worker(
  queueName,
  async (job: Job<{ input: string; width: number }>) => {
    const output = join(dataDir, `${job.id}.out`);
    const info = await sharp(job.data.input).resize({ width: job.data.width, fit: 'inside', withoutEnlargement: true }).toFile(output);
    return { output, width: info.width, height: info.height };
  },
  { connection, concurrency: 8 },
);

const app = express();
app.disable('x-powered-by');

app.post('/jobs', (request, response) => {
  const parser = busboy({ headers: request.headers, limits: { fileSize: 20 * 1024 * 1024, files: 1 } });
  let params: { width?: number } = {};
  let written: Promise<void> | undefined;
  let input: string | undefined;
  parser.on('file', (_name, file) => {
    input = join(dataDir, randomUUID());
    written = finished(file.pipe(createWriteStream(input)));
  });
  parser.on('field', (name, value) => {
    if (name === 'params') params = JSON.parse(value) as { width?: number };
  });
  parser.on('close', async () => {
    try {
      if (!written || !input) {
        response.status(400).json({ message: 'send an image' });
        return;
      }
      await written;
      const job = await queue.add('thumbnail', { input, width: params.width ?? 256 });
      if (!request.header('prefer')) {
        response.status(202).json({ id: job.id, status: 'waiting' });
        return;
      }
      const body = await answer(request, job);
      response.status(['completed', 'failed'].includes(body.status) ? 200 : 202).json(body);
    } catch (error) {
      response.status(500).json({ message: (error as Error).message });
    }
  });
  request.pipe(parser);
});

app.get('/jobs/:id', async (request, response) => {
  const job = await Job.fromId(queue, request.params.id);
  if (!job) {
    response.status(404).json({ message: 'no such job' });
    return;
  }
  response.json(await answer(request, job));
});

const server = app.listen(Number(process.env['PORT']), '127.0.0.1', () => process.send?.('ready'));

process.on('SIGTERM', async () => {
  server.close();
  await worker.close();
  await queueEvents?.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  process.exit(0);
});
