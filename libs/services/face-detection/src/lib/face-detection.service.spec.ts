import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Artifact } from '@aim/contracts';
import { tf } from '@aim/ml-runtime';
import { FolderBlobStore } from '@aim/blob-store';
import { DirectTaskCaller, ServiceHost } from '@aim/service-kit';
import { DetectedFace, FaceDetectionService } from './face-detection.service';

const FACES = join(__dirname, '../../../../../testdata/faces');
const EXPECTED = JSON.parse(readFileSync(join(FACES, 'faces.json'), 'utf8')) as Record<string, { faces: number }>;

/** Boxes drawn by hand around each face (forehead to chin), in photo pixels. */
const HAND_MADE: Record<string, [number, number, number, number][]> = {
  'sample1.jpg': [[405, 345, 240, 240], [825, 450, 210, 225], [1455, 210, 240, 240]],
  'sample2.jpg': [[354, 135, 186, 270], [885, 210, 210, 240], [1425, 120, 255, 255]],
  'sample3.jpg': [[585, 300, 210, 255], [1065, 225, 225, 255], [1500, 285, 210, 255]],
  'messi5.jpg': [[212, 80, 50, 45]],
};

function overlap(face: DetectedFace, [x, y, w, h]: [number, number, number, number]): number {
  const { box } = face;
  const ix = Math.max(0, Math.min(box.x + box.width, x + w) - Math.max(box.x, x));
  const iy = Math.max(0, Math.min(box.y + box.height, y + h) - Math.max(box.y, y));
  return (ix * iy) / (w * h);
}

describe('face-detection service (BlazeFace via Human, real photos)', () => {
  const service = new FaceDetectionService({ maxInputPixels: 40_000_000, mlBackend: 'wasm' });
  const folder = mkdtempSync(join(tmpdir(), 'aim-face-detection-'));
  const blobs = new FolderBlobStore(folder);
  const caller = new DirectTaskCaller(new ServiceHost(service, { concurrency: 2, queueLimit: 4 }, blobs), blobs);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const run = async (data: Buffer, params: Record<string, unknown> = {}) => {
    const inputs: Record<string, Artifact> = { image: { contentType: 'image/jpeg', data } };
    const outputs = await caller.call('detect', inputs, params);
    return (outputs['faces'] as { value: DetectedFace[] }).value;
  };

  beforeAll(() => service.ready(), 60_000);

  it.each(Object.keys(HAND_MADE))('finds the faces of %s, each box on a hand-made one', async (file) => {
    const faces = await run(readFileSync(join(FACES, file)));
    expect(faces).toHaveLength(EXPECTED[file].faces);
    for (const truth of HAND_MADE[file]) {
      const best = Math.max(...faces.map((face) => overlap(face, truth)));
      expect(best).toBeGreaterThan(0.6); // most of the hand-made box is covered by one detected box
    }
    for (const face of faces) {
      expect(face.score).toBeGreaterThanOrEqual(0.5);
      const { leftEye, rightEye } = face.landmarks;
      for (const [x, y] of [leftEye, rightEye]) {
        expect(x).toBeGreaterThanOrEqual(face.box.x);
        expect(x).toBeLessThanOrEqual(face.box.x + face.box.width);
        expect(y).toBeGreaterThanOrEqual(face.box.y);
        expect(y).toBeLessThanOrEqual(face.box.y + face.box.height);
      }
    }
  });

  it('finds no face on a photo without people (an empty list, not an error)', async () => {
    const noPeople = await sharp(join(FACES, 'sample3.jpg')).extract({ left: 0, top: 0, width: 420, height: 700 }).jpeg().toBuffer();
    expect(await run(noPeople)).toEqual([]);
    const blank = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    expect(await run(blank)).toEqual([]);
  });

  it('honours maxFaces and minScore', async () => {
    const photo = readFileSync(join(FACES, 'sample2.jpg'));
    expect(await run(photo, { maxFaces: 1 })).toHaveLength(1);
    const all = await run(photo, { minScore: 0.2 });
    const strict = await run(photo, { minScore: 0.8 });
    expect(strict.length).toBeLessThan(all.length);
  });

  it('answers bad input with clear errors: corrupt, truncated, empty, 1x1', async () => {
    await expect(run(Buffer.from('not a photo'))).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
    await expect(run(readFileSync(join(FACES, 'messi5.jpg')).subarray(0, 3000))).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
    await expect(run(Buffer.alloc(0))).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
    const tiny = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } }).png().toBuffer();
    expect(await run(tiny)).toEqual([]);
  });

  it('refuses an image over the pixel limit', async () => {
    const small = new DirectTaskCaller(new ServiceHost(new FaceDetectionService({ maxInputPixels: 100_000, mlBackend: 'wasm' }), { concurrency: 1, queueLimit: 0 }, blobs), blobs);
    const inputs: Record<string, Artifact> = { image: { contentType: 'image/jpeg', data: readFileSync(join(FACES, 'messi5.jpg')) } };
    await expect(small.call('detect', inputs)).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
  });

  it('leaves the number of tensors flat over repeated calls', async () => {
    const photo = readFileSync(join(FACES, 'messi5.jpg'));
    await run(photo);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 40; i++) await run(photo);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
