import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Artifact } from '@aim/contracts';
import { tf } from '@aim/ml-runtime';
import { FolderBlobStore } from '@aim/blob-store';
import { DirectTaskCaller, ServiceHost } from '@aim/service-kit';
import { DigitReading, DigitRecognitionService } from './digit-recognition.service';

const DIGITS = join(__dirname, '../../../../../testdata/digits');
const FILES = readdirSync(DIGITS).filter((file) => file.endsWith('.jpg'));
const labelOf = (file: string) => Number(file.split('-')[1]);

describe('digit-recognition service (CNN trained here, real images)', () => {
  const service = new DigitRecognitionService({ maxInputPixels: 4_000_000, mlBackend: 'wasm', modelDir: join(__dirname, '../../model') });
  const folder = mkdtempSync(join(tmpdir(), 'aim-digits-'));
  const blobs = new FolderBlobStore(folder);
  const caller = new DirectTaskCaller(new ServiceHost(service, { concurrency: 1, queueLimit: 4 }, blobs), blobs);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const read = async (data: Buffer): Promise<DigitReading> => {
    const inputs: Record<string, Artifact> = { image: { contentType: 'image/jpeg', data } };
    const outputs = await caller.call('read', inputs);
    return (outputs['digit'] as { value: DigitReading }).value;
  };

  beforeAll(() => service.ready(), 60_000);

  it('reads at least 90% of the user-style digit photos', async () => {
    const readings: { file: string; reading: DigitReading }[] = [];
    for (const file of FILES) readings.push({ file, reading: await read(readFileSync(join(DIGITS, file))) });
    const right = readings.filter(({ file, reading }) => reading.digit === labelOf(file));
    expect(right.length / FILES.length).toBeGreaterThanOrEqual(0.9);
    for (const { reading } of readings) {
      expect(reading.found).toBe(true);
      expect(reading.probabilities).toHaveLength(10);
      expect(reading.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
      expect(reading.confidence).toBe(Math.max(...reading.probabilities));
    }
    // Twenty photos decoded and read: seconds on a busy machine, where jest's default 5 s ran out.
  }, 60_000);

  it('reads the same digits rescaled, moved off-centre and inverted (light ink on dark)', async () => {
    let right = 0;
    let total = 0;
    for (const file of FILES) {
      const original = readFileSync(join(DIGITS, file));
      const { width = 0 } = await sharp(original).metadata();
      const variants = [
        await sharp(original).resize(Math.round(width / 3)).png().toBuffer(),
        await sharp(original).resize(width * 3).jpeg({ quality: 70 }).toBuffer(),
        await sharp(original).extend({ top: 40, left: 300, bottom: 220, right: 20, background: '#f4f3ef' }).jpeg().toBuffer(),
        await sharp(original).negate({ alpha: false }).png().toBuffer(),
      ];
      for (const variant of variants) {
        total++;
        if ((await read(variant)).digit === labelOf(file)) right++;
      }
    }
    expect(right / total).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it('answers a blank page with "no digit found", not a guess and not an error', async () => {
    for (const background of ['#ffffff', '#000000', '#f4f3ef']) {
      const blank = await sharp({ create: { width: 300, height: 300, channels: 3, background } }).jpeg().toBuffer();
      expect(await read(blank)).toEqual({ found: false, digit: null, confidence: 0, probabilities: [], certain: false });
    }
    const oneByOne = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } }).png().toBuffer();
    expect((await read(oneByOne)).found).toBe(false);
  });

  it('answers corrupt, truncated and oversized images with clear errors', async () => {
    const photo = readFileSync(join(DIGITS, FILES[0]));
    await expect(read(Buffer.from('definitely not an image'))).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
    await expect(read(photo.subarray(0, 400))).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
    const huge = await sharp({ create: { width: 2100, height: 2000, channels: 3, background: '#fff' } }).png().toBuffer();
    await expect(read(huge)).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
  });

  it('leaves the number of tensors flat over repeated calls', async () => {
    const photo = readFileSync(join(DIGITS, FILES[3]));
    await read(photo);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) await read(photo);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
