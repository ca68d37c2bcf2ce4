import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Artifact } from '@aim/contracts';
import { tf } from '@aim/ml-runtime';
import { FolderBlobStore } from '@aim/blob-store';
import { DirectTaskCaller, ServiceHost } from '@aim/service-kit';
import { EMOTIONS, RACES } from './face-analyzer.descriptor';
import { AnalysedFace, faceAnalyzerFiles, FaceAnalyzerService } from './face-analyzer.service';

const FACES = join(__dirname, '../../../../../testdata/faces');
const EXPECTED = JSON.parse(readFileSync(join(FACES, 'faces.json'), 'utf8')) as Record<string, { faces: number }>;

function expectComplete(face: AnalysedFace): void {
  expect(face.age).toBeGreaterThan(5);
  expect(face.age).toBeLessThan(90);
  expect(['female', 'male']).toContain(face.gender.label);
  expect(face.gender.confidence).toBeGreaterThan(0);
  expect(Object.keys(face.race.distribution).sort()).toEqual([...RACES].sort());
  expect(Object.keys(face.emotion.distribution).sort()).toEqual([...EMOTIONS].sort());
  for (const { label, distribution } of [face.race, face.emotion]) {
    const values = Object.values(distribution);
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 1);
    expect(distribution[label as keyof typeof distribution]).toBe(Math.max(...values));
  }
}

describe('face-analyzer service (Human faceres + emotion, gear for race; real photos)', () => {
  const service = new FaceAnalyzerService({ maxInputPixels: 40_000_000, mlBackend: 'wasm', ...faceAnalyzerFiles(join(__dirname, '../../../../..')) });
  const folder = mkdtempSync(join(tmpdir(), 'aim-face-analyzer-'));
  const blobs = new FolderBlobStore(folder);
  const caller = new DirectTaskCaller(new ServiceHost(service, { concurrency: 2, queueLimit: 4 }, blobs), blobs);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const run = async (data: Buffer, params: Record<string, unknown> = {}) => {
    const inputs: Record<string, Artifact> = { image: { contentType: 'image/jpeg', data } };
    const outputs = await caller.call('analyse', inputs, params);
    return (outputs['faces'] as { value: AnalysedFace[] }).value;
  };

  beforeAll(() => service.ready(), 120_000);
  afterAll(() => service.onApplicationShutdown());

  it.each(Object.keys(EXPECTED))('gives every field for each face of %s', async (file) => {
    const faces = await run(readFileSync(join(FACES, file)));
    expect(faces).toHaveLength(EXPECTED[file].faces);
    faces.forEach(expectComplete);
  });

  it('reads the young women of sample3 as female and the footballer as male', async () => {
    const women = await run(readFileSync(join(FACES, 'sample3.jpg')));
    expect(women.map((f) => f.gender.label)).toEqual(['female', 'female', 'female']);
    const [player] = await run(readFileSync(join(FACES, 'messi5.jpg')));
    expect(player.gender.label).toBe('male');
  });

  it('analyses a face crop as one face, even a tight one', async () => {
    const photo = join(FACES, 'sample1.jpg');
    const loose = await sharp(photo).extract({ left: 345, top: 285, width: 360, height: 360 }).jpeg().toBuffer();
    const tight = await sharp(photo).extract({ left: 425, top: 370, width: 200, height: 200 }).jpeg().toBuffer();
    for (const crop of [loose, tight]) {
      const faces = await run(crop, { input: 'face' });
      expect(faces).toHaveLength(1);
      expectComplete(faces[0]);
    }
  });

  it('answers an image without a face with an empty list, and bad bytes with an error', async () => {
    const wall = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#4060a0' } }).jpeg().toBuffer();
    expect(await run(wall)).toEqual([]);
    expect(await run(wall, { input: 'face' })).toEqual([]);
    await expect(run(Buffer.from('GIF89a but not really'))).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
  });

  it('leaves the number of tensors flat over repeated calls', async () => {
    const photo = readFileSync(join(FACES, 'messi5.jpg'));
    await run(photo);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) await run(photo);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
