import busboy from 'busboy';
import { Job, Queue, Worker } from 'bullmq';
import express from 'express';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import sharp from 'sharp';

/**
 * What a Node team would otherwise build for the same work, for the benchmark to compare with: Express,
 * busboy streaming the upload to disk, a BullMQ queue on Redis (jobs kept there), a sharp worker with
 * concurrency 8 writing the thumbnail to disk. Run as its own process: PORT, DATA_DIR, REDIS_PORT, QUEUE.
 */
const dataDir = process.env['DATA_DIR']!;
const connection = { host: '127.0.0.1', port: Number(process.env['REDIS_PORT'] ?? 6379) };
const queueName = process.env['QUEUE'] ?? `thumbnails-${randomUUID()}`;
mkdirSync(dataDir, { recursive: true });

const queue = new Queue(queueName, { connection });
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
      response.status(202).json({ id: job.id, status: 'waiting' });
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
  response.json({ id: job.id, status: await job.getState(), result: job.returnvalue });
});

const server = app.listen(Number(process.env['PORT']), '127.0.0.1', () => process.send?.('ready'));

process.on('SIGTERM', async () => {
  server.close();
  await worker.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  process.exit(0);
});
