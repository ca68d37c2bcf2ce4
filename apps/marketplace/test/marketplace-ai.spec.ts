import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { Box, faceCollage, intersectionOverUnion } from '@aim/test-support';
import { api, MarketplaceHarness, startMarketplace } from './support/marketplace.harness';
import { TEST_DATA, testFile } from './support/paths';

type Server = ReturnType<MarketplaceHarness['app']['getHttpServer']>;

async function finished(server: Server, id: string) {
  for (let i = 0; i < 1500; i++) {
    const job = (await api(server).get(`/api/v1/jobs/${id}`).expect(200)).body;
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await sleep(20);
  }
  throw new Error(`job ${id} did not finish`);
}

async function download(server: Server, url: string): Promise<Buffer> {
  const response = await api(server)
    .get(url)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    })
    .expect(200);
  return response.body as Buffer;
}

/** Mean difference between neighbouring pixels inside a box, the image laid over a background: how sharp it looks. */
async function edgeEnergy(data: Buffer, box: { x: number; y: number; width: number; height: number }, background: string): Promise<number> {
  const { data: grey, info } = await sharp(data).flatten({ background }).extract({ left: box.x, top: box.y, width: box.width, height: box.height }).greyscale().raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  for (let y = 0; y < info.height; y++) for (let x = 1; x < info.width; x++) sum += Math.abs(grey[y * info.width + x] - grey[y * info.width + x - 1]);
  return sum / (info.height * (info.width - 1));
}

/** A face box as anonymise-faces blurs it: grown by a third of its size on every side, clamped to the image. */
function blurredRegion(box: Box, width: number, height: number): Box {
  const [padX, padY] = [box.width * 0.33, box.height * 0.33];
  const x = Math.max(0, Math.floor(box.x - padX));
  const y = Math.max(0, Math.floor(box.y - padY));
  return { x, y, width: Math.min(width, Math.ceil(box.x + box.width + padX)) - x, height: Math.min(height, Math.ceil(box.y + box.height + padY)) - y };
}

/** The faces of sample3.jpg, boxed by hand (testdata/faces/faces.json). */
const SAMPLE3_FACES: Box[] = (JSON.parse(readFileSync(testFile('faces', 'faces.json'), 'utf8'))['sample3.jpg'].boxes as number[][]).map(([x, y, width, height]) => ({ x, y, width, height }));

/** Each true face has a box on it. anonymise-faces leans to blurring too much (minScore 0.6): on
 * sample3 it also blurs a panel of the door, which is why the count is not checked. */
function expectEveryFaceBoxed(faces: { box: Box }[]): void {
  for (const truth of SAMPLE3_FACES) expect(Math.max(...faces.map(({ box }) => intersectionOverUnion(box, truth)))).toBeGreaterThan(0.5);
}

const isIn = (x: number, y: number, box: Box) => x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;

/** For each box, the share of its pixels whose colour differs between two decodings of the same size. */
function changedShare(before: Buffer, after: Buffer, width: number, channels: number, boxes: Box[]): number[] {
  return boxes.map((box) => {
    let changed = 0;
    for (let y = box.y; y < box.y + box.height; y++) {
      for (let x = box.x; x < box.x + box.width; x++) {
        const i = (y * width + x) * channels;
        if (before[i] !== after[i] || before[i + 1] !== after[i + 1] || before[i + 2] !== after[i + 2]) changed++;
      }
    }
    return changed / (box.width * box.height);
  });
}

async function run(server: Server, pipeline: string, image: Buffer, filename: string) {
  const accepted = await api(server).post(`/api/v1/pipelines/${pipeline}/jobs`).attach('image', image, filename).expect(202);
  const job = await finished(server, accepted.body.id);
  if (job.status !== 'succeeded') throw new Error(`${pipeline} ${job.status}: ${JSON.stringify(job.error)}`);
  return job;
}

describe('the AI services in the one-process marketplace', () => {
  let marketplace: MarketplaceHarness;
  let server: Server;

  beforeAll(async () => {
    marketplace = await startMarketplace({ ML_BACKEND: 'wasm' });
    server = marketplace.app.getHttpServer();
  }, 120_000);
  afterAll(() => marketplace.close());

  it('lists the four services as available, the ML backend shown per instance, and the AI pipelines as runnable', async () => {
    const services = (await api(server).get('/api/v1/services').expect(200)).body;
    expect(services.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['digit-recognition', 'available'],
      ['face-analyzer', 'available'],
      ['face-detection', 'available'],
      ['image-processing', 'available'],
    ]);
    const detection = (await api(server).get('/api/v1/services/face-detection').expect(200)).body;
    expect(detection.instances[0].runtime).toMatchObject({ mlBackend: 'wasm', simd: 'true' });
    const pipelines = (await api(server).get('/api/v1/pipelines').expect(200)).body;
    for (const id of ['anonymise-faces', 'analyse-faces', 'read-digit']) {
      expect(pipelines.find((p: { id: string }) => p.id === id)).toMatchObject({ runnable: true });
    }
  });

  it('anonymises faces: each face box blurred with a margin, every pixel beyond it unchanged', async () => {
    const png = await sharp(testFile('faces', 'sample3.jpg')).png().toBuffer();
    const job = await run(server, 'anonymise-faces', png, 'sample3.png');
    const faces = job.outputs.faces.value as { box: Box }[];
    expectEveryFaceBoxed(faces);
    const before = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const after = await sharp(await download(server, job.outputs.image.url)).raw().toBuffer({ resolveWithObject: true });
    expect(after.info).toMatchObject({ width: before.info.width, height: before.info.height });
    const { width, height, channels } = before.info;
    const regions = faces.map(({ box }) => blurredRegion(box, width, height));
    let changedOutside = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * channels;
        const differs = before.data[i] !== after.data[i] || before.data[i + 1] !== after.data[i + 1] || before.data[i + 2] !== after.data[i + 2];
        if (differs && !regions.some((region) => isIn(x, y, region))) changedOutside++;
      }
    }
    expect(changedOutside).toBe(0);
    for (const share of changedShare(before.data, after.data, width, channels, faces.map(({ box }) => box))) expect(share).toBeGreaterThan(0.8);
  }, 60_000);

  it('anonymises a PNG with an alpha channel: no face stays sharp on any background', async () => {
    const translucent = await sharp(testFile('faces', 'sample3.jpg')).ensureAlpha(0.6).png().toBuffer();
    const job = await run(server, 'anonymise-faces', translucent, 'sample3.png');
    const faces = job.outputs.faces.value as { box: Box }[];
    expectEveryFaceBoxed(faces);
    const out = await download(server, job.outputs.image.url);
    for (const { box } of faces) {
      for (const background of ['#ffffff', '#000000']) {
        expect(await edgeEnergy(out, box, background)).toBeLessThan((await edgeEnergy(translucent, box, background)) * 0.35);
      }
    }
  }, 60_000);

  it('anonymises a collage of group photos: every true face box of 32 px and more is blurred', async () => {
    const collage = await faceCollage(TEST_DATA, 5);
    const truth = collage.faces.filter((face) => face.width >= 32);
    expect(truth.length).toBeGreaterThan(20);
    const job = await run(server, 'anonymise-faces', collage.jpeg, 'collage.jpg');
    const blurred = await download(server, job.outputs.image.url);
    const before = await sharp(collage.jpeg).raw().toBuffer({ resolveWithObject: true });
    const after = await sharp(blurred).raw().toBuffer({ resolveWithObject: true });
    const { width, channels } = before.info;
    // Every true face: nearly all its pixels changed, and its edges gone (a blur, not a tint).
    expect(changedShare(before.data, after.data, width, channels, truth).filter((share) => share < 0.95)).toEqual([]);
    for (const face of truth) expect(await edgeEnergy(blurred, face, '#000')).toBeLessThan((await edgeEnergy(collage.jpeg, face, '#000')) * 0.5);
  }, 90_000);

  it('analyses faces: one labelled box per face and a report with every field', async () => {
    const photo = readFileSync(testFile('faces', 'sample3.jpg'));
    const job = await run(server, 'analyse-faces', photo, 'sample3.jpg');
    const report = (job.outputs.report as { value: Record<string, unknown> | null }[]).map((r) => r.value);
    expect(report).toHaveLength(3);
    for (const face of report) expect(face).toEqual(expect.objectContaining({ box: expect.any(Object), age: expect.any(Number), gender: expect.any(Object), race: expect.any(Object), emotion: expect.any(Object) }));
    expect(job.steps.find((s: { id: string }) => s.id === 'analyse').items).toHaveLength(3);
    const labelled = await sharp(await download(server, job.outputs.image.url)).raw().toBuffer({ resolveWithObject: true });
    // The left edge of each box, half way down, is drawn in the label colour (#ffcc00).
    for (const face of report as { box: { x: number; y: number; height: number } }[]) {
      const i = ((face.box.y + Math.round(face.box.height / 2)) * labelled.info.width + face.box.x) * labelled.info.channels;
      const [r, g, b] = labelled.data.subarray(i, i + 3);
      expect(r).toBeGreaterThan(200);
      expect(g).toBeGreaterThan(150);
      expect(b).toBeLessThan(90);
    }
  }, 60_000);

  it('reads a digit', async () => {
    const job = await run(server, 'read-digit', readFileSync(testFile('digits', 'digit-7-07.jpg')), 'seven.jpg');
    expect(job.outputs.digit.value).toMatchObject({ found: true, digit: 7 });
    expect(job.outputs.digit.value.probabilities).toHaveLength(10);
  });

  it('runs face detection alone and answers an empty list for a photo without people', async () => {
    const empty = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#2a6' } }).jpeg().toBuffer();
    const accepted = await api(server).post('/api/v1/services/face-detection/tasks/detect/jobs').attach('image', empty, 'wall.jpg').expect(202);
    const job = await finished(server, accepted.body.id);
    expect(job.status).toBe('succeeded');
    expect(job.outputs.faces.value).toEqual([]);
  });
});
