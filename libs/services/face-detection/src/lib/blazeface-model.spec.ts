import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { initTensorflow } from '@aim/ml-runtime';
import { anchorCount, ROW_LENGTH } from './blazeface-output';
import { InProcessBlazeFace, WorkerBlazeFace } from './blazeface-model';
import { faceDetectionFiles } from './face-detection.service';

const { modelPath, workerPath } = faceDetectionFiles(join(__dirname, '../../../../..'));
const grey = (height: number, width: number, images = 1) => new Float32Array(images * height * width * 3);

describe('BlazeFace on any input size, on this thread and on a worker', () => {
  let worker: WorkerBlazeFace;
  let inProcess: InProcessBlazeFace;
  beforeAll(async () => {
    await initTensorflow('wasm');
    worker = new WorkerBlazeFace(workerPath, modelPath);
    inProcess = await InProcessBlazeFace.load(modelPath);
  }, 60_000);
  afterAll(async () => {
    await worker.close();
    await inProcess.close();
  });

  it('answers a row per anchor of every image, for sizes other than the 128x128 it was made for', async () => {
    for (const [images, height, width] of [
      [1, 128, 128],
      [1, 208, 368],
      [3, 96, 96],
    ]) {
      const rows = await worker.execute(grey(height, width, images), [images, height, width, 3]);
      expect(rows).toHaveLength(images * anchorCount(width, height) * ROW_LENGTH);
    }
  });

  it('gives the same answers on a worker as on this thread', async () => {
    const input = grey(160, 224).map((_, i) => Math.sin(i / 97));
    const here = await inProcess.execute(input.slice(), [1, 160, 224, 3]);
    const there = await worker.execute(input.slice(), [1, 160, 224, 3]);
    expect(Math.max(...there.map((value, i) => Math.abs(value - here[i])))).toBeLessThan(1e-3);
  });

  it('fails the calls of a worker that dies, with a clear error, and starts another for the next', async () => {
    await worker.execute(grey(128, 128), [1, 128, 128, 3]);
    const thread = (worker as unknown as { thread: Worker }).thread;
    const pending = worker.execute(grey(720, 1280), [1, 720, 1280, 3]);
    await thread.terminate();
    await expect(pending).rejects.toThrow(/the BlazeFace worker stopped/);
    expect(await worker.execute(grey(128, 128), [1, 128, 128, 3])).toHaveLength(
      anchorCount(128, 128) * ROW_LENGTH,
    );
  }, 60_000);

  it('answers a wrong input shape with an error, and keeps working', async () => {
    await expect(worker.execute(grey(10, 10), [1, 128, 128, 3])).rejects.toThrow(/BlazeFace failed/);
    const before = await worker.tensors();
    await worker.execute(grey(128, 128), [1, 128, 128, 3]);
    expect(await worker.tensors()).toBe(before);
  });
});
