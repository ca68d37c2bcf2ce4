import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { Artifact } from '@aim/contracts';
import { DigitRecognitionService } from '@aim/digit-recognition';
import { faceAnalyzerFiles, FaceAnalyzerService } from '@aim/face-analyzer';
import { createHuman, fileModelLoader, initTensorflow, rgbTensor, tf } from '@aim/ml-runtime';
import { FolderBlobStore } from '@aim/blob-store';
import { decodeRgb, DirectTaskCaller, ServiceHost, TaskService } from '@aim/service-kit';
import { fixed, medianTime, table } from './stats';


async function timedReady(service: TaskService): Promise<number> {
  const started = performance.now();
  await service.ready();
  return performance.now() - started;
}

/** The files of the service calls: a folder store, as in one process. */
const blobFolder = mkdtempSync(join(tmpdir(), 'aim-bench-ai-'));
const blobs = new FolderBlobStore(blobFolder);

function call(caller: DirectTaskCaller, task: string, data: Buffer, params: Record<string, unknown> = {}) {
  const inputs: Record<string, Artifact> = { image: { contentType: 'image/jpeg', data } };
  return caller.call(task, inputs, params);
}

export async function benchAi(options: { root: string; testData: string; runs: number; leakCalls: number }): Promise<void> {
  const runtime = await initTensorflow('wasm');
  const queue = { concurrency: 1, queueLimit: 0 };
  const photo = readFileSync(join(options.testData, 'faces/sample1.jpg'));
  console.log(`\n## AI services: ${runtime.backend} backend (SIMD ${runtime.simd}), one process, median of ${options.runs} runs`);

  const analyzer = new FaceAnalyzerService({ maxInputPixels: 40_000_000, mlBackend: 'wasm', ...faceAnalyzerFiles(options.root) });
  const digits = new DigitRecognitionService({ maxInputPixels: 40_000_000, mlBackend: 'wasm', modelDir: join(options.root, 'libs/services/digit-recognition/model') });
  const load = { analyzer: await timedReady(analyzer), digits: await timedReady(digits) };

  // Raw model calls: the same models on already-decoded input, without the service around them.
  const rawAnalyzer = await createHuman(runtime, { detector: { return: true }, description: { enabled: true }, emotion: { enabled: true } } as never);
  const gear = await tf.loadGraphModel(fileModelLoader(join(options.root, 'libs/services/face-analyzer/model/gear/gear.json')));
  const rawAnalysis = async (input: tf.Tensor3D) => {
    for (const face of (await rawAnalyzer.detect(input)).face) {
      tf.tidy(() => (gear.execute(tf.image.cropAndResize((face.tensor as tf.Tensor3D).expandDims(0) as tf.Tensor4D, [[0, 0.1, 0.9, 0.9]], [0], [198, 198])) as tf.Tensor[])[0].dataSync());
      tf.dispose(face.tensor);
    }
  };
  const crop = await sharp(photo).extract({ left: 345, top: 285, width: 360, height: 360 }).jpeg().toBuffer();
  const cropDecoded = await decodeRgb(crop, 40_000_000);
  const cropTensor = rgbTensor(cropDecoded.pixels, cropDecoded.width, cropDecoded.height);
  const digitJpeg = readFileSync(join(options.testData, 'digits/digit-7-07.jpg'));
  const digitPixels = new Float32Array(784).fill(0);

  const analyzerHost = new DirectTaskCaller(new ServiceHost(analyzer, queue, blobs), blobs);
  const digitHost = new DirectTaskCaller(new ServiceHost(digits, queue, blobs), blobs);
  const rows: (string | number)[][] = [['measure', 'service ms', 'raw model ms', 'load + warm-up ms', 'goal']];
  rows.push([
    'analysis of one face (360x360 crop)',
    fixed(await medianTime(options.runs, () => call(analyzerHost, 'analyse', crop, { input: 'face' })), 1),
    fixed(await medianTime(options.runs, () => rawAnalysis(cropTensor)), 1),
    fixed(load.analyzer, 0),
    '< 150',
  ]);
  rows.push([
    'one digit (JPEG in)',
    fixed(await medianTime(options.runs * 5, () => call(digitHost, 'read', digitJpeg)), 2),
    fixed(await medianTime(options.runs * 5, () => digits.predict(digitPixels)), 2),
    fixed(load.digits, 0),
    '< 5',
  ]);
  console.log(table(rows));
  console.log('(raw: the same models on input already decoded to a tensor; face analysis = Human detector + faceres + emotion + gear; face detection: `npm run bench -- faces`)');
  cropTensor.dispose();

  await call(digitHost, 'read', digitJpeg);
  global.gc?.();
  const before = { rss: process.memoryUsage().rss, tensors: tf.memory().numTensors };
  for (let i = 0; i < options.leakCalls; i++) await call(digitHost, 'read', digitJpeg);
  global.gc?.();
  const after = { rss: process.memoryUsage().rss, tensors: tf.memory().numTensors };
  console.log(`${options.leakCalls} digit calls in a row: tensors ${before.tensors} → ${after.tensors}, RSS ${fixed(before.rss / 2 ** 20, 0)} → ${fixed(after.rss / 2 ** 20, 0)} MiB`);
  rmSync(blobFolder, { recursive: true, force: true });
}
