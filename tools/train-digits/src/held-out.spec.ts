import { join } from 'node:path';
import sharp from 'sharp';
import { DigitRecognitionService } from '@aim/digit-recognition';
import { CALIBRATION_PER_CLASS, HELD_OUT_PER_CLASS, mnistSplit } from './mnist-split';
import { seededRandom } from './seeded-random';

const MODEL = join(__dirname, '../../../libs/services/digit-recognition/model');

describe('the committed digit model on the held-out split it was never trained on', () => {
  const service = new DigitRecognitionService({ maxInputPixels: 4_000_000, mlBackend: 'wasm', modelDir: MODEL });
  const { heldOut, calibration, train } = mnistSplit();

  beforeAll(() => service.ready(), 60_000);

  it('keeps the held-out and the calibration digits out of the training split, and apart', () => {
    expect(heldOut).toHaveLength(10 * HELD_OUT_PER_CLASS);
    expect(calibration).toHaveLength(10 * CALIBRATION_PER_CLASS);
    const key = (digit: { pixels: Float32Array }) => Buffer.from(digit.pixels.buffer).toString('base64');
    const trained = new Set(train.map(key));
    expect(heldOut.filter((digit) => trained.has(key(digit)))).toHaveLength(0);
    expect(calibration.filter((digit) => trained.has(key(digit)))).toHaveLength(0);
    const calibrating = new Set(calibration.map(key));
    expect(heldOut.filter((digit) => calibrating.has(key(digit)))).toHaveLength(0);
  });

  it('reads at least 98.5% of them (the model alone, 28x28 in)', () => {
    const right = heldOut.filter((digit) => {
      const probabilities = service.predict(digit.pixels);
      return probabilities.indexOf(Math.max(...probabilities)) === digit.label;
    });
    expect(right.length / heldOut.length).toBeGreaterThanOrEqual(0.985);
  });

  it('reads them as images too: enlarged, moved off-centre, dark on light, JPEG', async () => {
    const random = seededRandom(1);
    const sample = heldOut.filter((_, i) => i % 5 === 0);
    let right = 0;
    for (const digit of sample) {
      const size = 56 + Math.floor(random() * 200);
      const ink = Buffer.from(digit.pixels.map((v) => 255 - Math.round(v * 255)));
      const glyph = await sharp(ink, { raw: { width: 28, height: 28, channels: 1 } }).resize(size, size).png().toBuffer();
      const page = await sharp({ create: { width: size * 2, height: size + 80, channels: 3, background: '#ffffff' } })
        .composite([{ input: glyph, left: Math.floor(random() * size), top: Math.floor(random() * 80) }])
        .jpeg({ quality: 85 })
        .toBuffer();
      if ((await service.read(page)).digit === digit.label) right++;
    }
    expect(right / sample.length).toBeGreaterThanOrEqual(0.97);
  }, 120_000);
});
