import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DigitRecognitionService } from '@aim/digit-recognition';
import { accuracyOf, certainReadings, expectedCalibrationError, Readings } from './calibration';
import { FontDigit, fontDigits } from './font-dataset';
import { CALIBRATION_FAMILIES, FONT_FAMILIES, HELD_OUT_FAMILIES, HELD_OUT_SEED, STYLES, TRAINING_FAMILIES } from './font-digits';
import { mnistSplit } from './mnist-split';

const ROOT = join(__dirname, '../../..');
const MODEL = join(ROOT, 'libs/services/digit-recognition/model');
/** Ten of each digit in each style, from the held-out families. */
const COUNT = 10 * STYLES.length * 10;

describe('the committed digit model on font families it never saw, through the service', () => {
  const service = new DigitRecognitionService({ maxInputPixels: 4_000_000, mlBackend: 'wasm', modelDir: MODEL });
  let digits: FontDigit[];
  let fonts: Readings;

  beforeAll(async () => {
    await service.ready();
    digits = await fontDigits(HELD_OUT_FAMILIES, COUNT, HELD_OUT_SEED, 0, 1, true);
    const read = [];
    for (const { png } of digits) {
      if (!png) throw new Error('fontDigits was asked to keep the pictures');
      read.push(await service.read(png));
    }
    fonts = { probabilities: read.map((reading) => reading.probabilities), labels: digits.map((digit) => digit.label) };
  }, 240_000);

  it('holds the held-out families out of training and calibration, and every family is installed by package.json', () => {
    expect(TRAINING_FAMILIES.filter((family) => HELD_OUT_FAMILIES.includes(family) || CALIBRATION_FAMILIES.includes(family))).toEqual([]);
    expect(CALIBRATION_FAMILIES.filter((family) => HELD_OUT_FAMILIES.includes(family))).toEqual([]);
    expect([...HELD_OUT_FAMILIES, ...CALIBRATION_FAMILIES].every((family) => FONT_FAMILIES.includes(family))).toBe(true);
    const installed = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies);
    expect(FONT_FAMILIES.filter((family) => !installed.includes(`@fontsource/${family}`))).toEqual([]);
  });

  it('reads at least 97% of them in all styles, and at least 95% of the outlined ones', () => {
    expect(accuracyOf(fonts)).toBeGreaterThanOrEqual(0.97);
    const outlined = digits.map((digit, i) => (digit.style === 'outlined' ? i : -1)).filter((i) => i >= 0);
    expect(outlined).toHaveLength(COUNT / STYLES.length);
    expect(accuracyOf({ probabilities: outlined.map((i) => fonts.probabilities[i]), labels: outlined.map((i) => fonts.labels[i]) })).toBeGreaterThanOrEqual(0.95);
  });

  it('is calibrated on them and on held-out MNIST (ECE under 0.05), and the readings it calls certain are right 99% of the time', () => {
    const { heldOut } = mnistSplit();
    const mnist: Readings = { probabilities: heldOut.map((digit) => service.predict(digit.pixels)), labels: heldOut.map((digit) => digit.label) };
    const both: Readings = { probabilities: [...fonts.probabilities, ...mnist.probabilities], labels: [...fonts.labels, ...mnist.labels] };
    expect(expectedCalibrationError(both)).toBeLessThan(0.05);
    const calibration = JSON.parse(readFileSync(join(MODEL, 'calibration.json'), 'utf8')) as { certainAbove: number };
    const certain = certainReadings(both, calibration.certainAbove);
    expect(certain.accuracy).toBeGreaterThanOrEqual(0.99);
    // Certain must mean something: most readings are.
    expect(certain.share).toBeGreaterThan(0.5);
  });
});
