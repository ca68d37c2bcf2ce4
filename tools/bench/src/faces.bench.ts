import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { Artifact } from '@aim/contracts';
import { faceDetectionFiles, FaceDetectionService } from '@aim/face-detection';
import { createHuman, initTensorflow, rgbTensor } from '@aim/ml-runtime';
import { FolderBlobStore } from '@aim/blob-store';
import { decodeRgb, DirectTaskCaller, ServiceHost } from '@aim/service-kit';
import { Box, DetectionScore, faceTestSet, scoreDetections } from '@aim/test-support';
import { fixed, median, percentile, table } from './stats';

/**
 * `npm run bench -- faces`: face detection on the small-face set (testdata's photos shrunk into
 * 1920x1080 frames, `faceTestSet`), through the service as a job calls it (JPEG in): recall per face
 * width, precision, what is found where nobody is, and the time per frame for several `minFaceSize`;
 * the large-face case (a 1920x1080 group photo); and Human's BlazeFace (the detector before) on the
 * same set, for comparison. Nothing is asserted: the test suite checks the bounds.
 */
export async function benchFaces(options: { root: string; testData: string; runs: number; leakCalls: number }): Promise<void> {
  const runtime = await initTensorflow('wasm');
  console.log(`\n## Face detection: ${runtime.backend} backend (SIMD ${runtime.simd}), the small-face set`);
  const frames = await faceTestSet(options.testData);
  const counted = frames.flatMap((frame) => frame.faces).filter((face) => face.width >= 24).length;
  console.log(`${frames.length} frames of 1920x1080 (${frames.filter((frame) => !frame.faces.length).length} without any face), ${counted} faces of 24 px and more`);

  const folder = mkdtempSync(join(tmpdir(), 'aim-bench-faces-'));
  const blobs = new FolderBlobStore(folder);
  const service = new FaceDetectionService({ maxInputPixels: 40_000_000, mlBackend: 'wasm', ...faceDetectionFiles(options.root) });
  const started = performance.now();
  await service.ready();
  console.log(`load + warm-up: ${fixed(performance.now() - started, 0)} ms`);
  const caller = new DirectTaskCaller(new ServiceHost(service, { concurrency: 1, queueLimit: 0 }, blobs), blobs);
  const detect = async (jpeg: Buffer, params: Record<string, unknown> = {}): Promise<Box[]> => {
    const inputs: Record<string, Artifact> = { image: { contentType: 'image/jpeg', data: jpeg } };
    const outputs = await caller.call('detect', inputs, { maxFaces: 1000, ...params });
    return (outputs['faces'] as { value: { box: Box }[] }).value.map((face) => face.box);
  };

  const rows: (string | number)[][] = [['detector', 'minFaceSize', 'minScore', ...bandHeads(), 'precision', 'found on no-face frames', 'ms/frame median', 'p90', 'event loop held, max ms']];
  for (const [minFaceSize, minScore] of [
    [24, 0.67],
    [24, 0.6],
    [32, 0.67],
    [48, 0.67],
  ]) {
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const { found, times } = await timed(frames, (frame) => detect(frame.jpeg, { minFaceSize, minScore }));
    loop.disable();
    rows.push(['pyramid (service)', minFaceSize, minScore, ...scoreRow(scoreDetections(frames, found)), fixed(median(times), 0), fixed(percentile(times, 90), 0), fixed(loop.max / 1e6, 0)]);
  }

  // The detector before: Human's BlazeFace on the whole photo shrunk to 640 px, as the service ran it.
  const human = await createHuman(runtime, {});
  const before = await timed(frames, async (frame) => {
    const image = await decodeRgb(frame.jpeg, 40_000_000, 640);
    const input = rgbTensor(image.pixels, image.width, image.height);
    try {
      const faces = (await human.detect(input)).face.filter((face) => face.score >= 0.5);
      // Human grows the detector's box 1.4 times: shrunk back, it is comparable with the true boxes.
      return faces.map(({ box: [x, y, width, height] }) => {
        const [side, grown] = [width / 1.4, width];
        return { x: (x + (grown - side) / 2) / image.scale, y: (y + (height - height / 1.4) / 2) / image.scale, width: side / image.scale, height: height / 1.4 / image.scale };
      });
    } finally {
      input.dispose();
    }
  });
  rows.push(['Human BlazeFace (before)', '-', 0.5, ...scoreRow(scoreDetections(frames, before.found)), fixed(median(before.times), 0), fixed(percentile(before.times, 90), 0), 'no worker']);
  console.log(table(rows));
  console.log('(recall: share of the true faces of each width found with IoU ≥ 0.4; precision: share of what is found that is a true face;');
  console.log(' event loop held: the longest the process could not answer anything while detecting; Human boxes shrunk back from its 1.4 times growth)');

  // The large-face case: a 1920x1080 cut of a group photo, three faces of 170-200 px.
  const group = await sharp(join(options.testData, 'faces/sample1.jpg')).extract({ left: 0, top: 100, width: 1920, height: 1080 }).jpeg({ quality: 90 }).toBuffer();
  const large: (string | number)[][] = [['1920x1080 group photo (3 faces, 170-200 px)', 'faces found', 'ms median', 'p90']];
  for (const minFaceSize of [24, 48]) {
    const { found, times } = await timed(Array.from({ length: options.runs }, () => null), () => detect(group, { minFaceSize }));
    large.push([`minFaceSize ${minFaceSize}`, found[0].length, fixed(median(times), 0), fixed(percentile(times, 90), 0)]);
  }
  console.log(table(large));

  const tensorsBefore = await service.tensors();
  const rssBefore = process.memoryUsage().rss;
  const photo = readFileSync(join(options.testData, 'faces/messi5.jpg'));
  for (let i = 0; i < options.leakCalls; i++) await detect(photo);
  console.log(
    `${options.leakCalls} detections in a row: tensors (the model's worker) ${tensorsBefore} → ${await service.tensors()}, RSS ${fixed(rssBefore / 2 ** 20, 0)} → ${fixed(process.memoryUsage().rss / 2 ** 20, 0)} MiB`,
  );
  await service.onApplicationShutdown();
  rmSync(folder, { recursive: true, force: true });
}

async function timed<T>(items: T[], work: (item: T) => Promise<Box[]>): Promise<{ found: Box[][]; times: number[] }> {
  const found: Box[][] = [];
  const times: number[] = [];
  for (const item of items) {
    const started = performance.now();
    found.push(await work(item));
    times.push(performance.now() - started);
  }
  return { found, times };
}

const percent = (value: number) => `${fixed(100 * value, 1)}%`;

const bandHeads = () => ['24-32 px', '32-48', '48-96', '96-192', '192+'];

function scoreRow(score: DetectionScore): string[] {
  return [...score.bands.map((band) => `${percent(band.recall)} of ${band.faces}`), percent(score.precision), String(score.onNoFaceFrames)];
}

