import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { api, MarketplaceHarness, startMarketplace } from './support/marketplace.harness';
import { testFile } from './support/paths';

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

  it('anonymises faces: each face box blurred, every pixel outside the boxes unchanged', async () => {
    const png = await sharp(testFile('faces', 'sample1.jpg')).png().toBuffer();
    const job = await run(server, 'anonymise-faces', png, 'sample1.png');
    const faces = job.outputs.faces.value as { box: { x: number; y: number; width: number; height: number } }[];
    expect(faces).toHaveLength(3);
    const before = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const after = await sharp(await download(server, job.outputs.image.url)).raw().toBuffer({ resolveWithObject: true });
    expect(after.info).toMatchObject({ width: before.info.width, height: before.info.height });
    const { width, channels } = before.info;
    const inside = (x: number, y: number) => faces.some(({ box }) => x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height);
    let changedOutside = 0;
    const changedPerFace = faces.map(() => 0);
    for (let y = 0; y < before.info.height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * channels;
        const differs = before.data[i] !== after.data[i] || before.data[i + 1] !== after.data[i + 1] || before.data[i + 2] !== after.data[i + 2];
        if (!differs) continue;
        if (!inside(x, y)) changedOutside++;
        faces.forEach(({ box }, f) => {
          if (x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height) changedPerFace[f]++;
        });
      }
    }
    expect(changedOutside).toBe(0);
    faces.forEach(({ box }, f) => expect(changedPerFace[f] / (box.width * box.height)).toBeGreaterThan(0.8));
  }, 60_000);

  it('anonymises a PNG with an alpha channel: no face stays sharp on any background', async () => {
    const translucent = await sharp(testFile('faces', 'sample1.jpg')).ensureAlpha(0.6).png().toBuffer();
    const job = await run(server, 'anonymise-faces', translucent, 'sample1.png');
    const faces = job.outputs.faces.value as { box: { x: number; y: number; width: number; height: number } }[];
    expect(faces).toHaveLength(3);
    const out = await download(server, job.outputs.image.url);
    for (const { box } of faces) {
      for (const background of ['#ffffff', '#000000']) {
        expect(await edgeEnergy(out, box, background)).toBeLessThan((await edgeEnergy(translucent, box, background)) * 0.35);
      }
    }
  }, 60_000);

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
