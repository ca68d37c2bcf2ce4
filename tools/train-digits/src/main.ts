import { fork } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileModelLoader, fileModelSaver, initTensorflow, tf } from '@aim/ml-runtime';
import { withTemperature } from '@aim/digit-recognition';
import { augment } from './augment';
import { accuracyOf, certainReadings, certaintyThreshold, expectedCalibrationError, fitTemperature, Readings } from './calibration';
import { FontDigit, fontDigits, loadDigits, saveDigits } from './font-dataset';
import { CALIBRATION_FAMILIES, HELD_OUT_FAMILIES, HELD_OUT_SEED, STYLES, TRAINING_FAMILIES } from './font-digits';
import { digitModel } from './digit-model';
import { Digit, mnistSplit } from './mnist-split';
import { seededRandom, shuffle } from './seeded-random';
import { registerWasmConvFilterGradient } from './wasm-conv-gradient';

/** Members of the ensemble, one seed each; each trains in its own process (wasm runs on one core). */
const MEMBER_SEEDS = [7, 8];
const EPOCHS = Number(process.env['EPOCHS'] ?? 10);
const BATCH = 64;
const ROOT = resolve(__dirname, '../../..');
const OUT = resolve(process.env['OUT'] ?? resolve(ROOT, 'libs/services/digit-recognition/model'));
/** Generated digits are kept here between runs (same sizes and seeds: same digits). */
const DATA = resolve(ROOT, 'tmp/digit-data');
/** Part of the kept files' names: raise it when font-digits.ts draws differently, or old digits are reused. */
const DRAWING_VERSION = 1;
/** Font-rendered digits: trained on; calibrated on (families of their own); held out (families of their own). */
const SETS = {
  train: { families: TRAINING_FAMILIES, count: Number(process.env['FONT_DIGITS'] ?? 20_000), seed: 1 },
  calibration: { families: CALIBRATION_FAMILIES, count: 2_600, seed: 2 },
  heldOut: { families: HELD_OUT_FAMILIES, count: 3_900, seed: HELD_OUT_SEED },
};
type SetName = keyof typeof SETS;
const fileOf = (name: SetName, part: number) => join(DATA, `v${DRAWING_VERSION}-${name}-${SETS[name].count}-${SETS[name].seed}-${part}.bin`);
const GENERATORS = 2;
/** Readings marked certain must be right this often on the calibration digits (MNIST's and the fonts', each). */
const CERTAIN_TARGET = 0.998;
/** MNIST's digits go round this many times per epoch (each time moved differently): they are fewer than the font digits. */
const MNIST_PASSES = 2;

function batchTensors(digits: Digit[], random?: () => number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const pixels = new Float32Array(digits.length * 784);
  digits.forEach((digit, i) => pixels.set(random ? augment(digit.pixels, random) : digit.pixels, i * 784));
  return {
    xs: tf.tensor4d(pixels, [digits.length, 28, 28, 1]),
    ys: tf.oneHot(tf.tensor1d(digits.map((d) => d.label), 'int32'), 10) as tf.Tensor2D,
  };
}

function probabilities(models: tf.LayersModel[], digits: Digit[]): Float32Array {
  const out = new Float32Array(digits.length * 10);
  for (let start = 0; start < digits.length; start += 500) {
    const { xs, ys } = batchTensors(digits.slice(start, start + 500));
    out.set(tf.tidy(() => tf.addN(models.map((m) => m.predict(xs) as tf.Tensor)).div(models.length).dataSync() as Float32Array), start * 10);
    xs.dispose();
    ys.dispose();
  }
  return out;
}

function accuracy(models: tf.LayersModel[], digits: Digit[]): number {
  const probs = probabilities(models, digits);
  let correct = 0;
  digits.forEach((digit, i) => {
    const row = probs.subarray(i * 10, i * 10 + 10);
    if (row.indexOf(Math.max(...row)) === digit.label) correct++;
  });
  return correct / digits.length;
}

async function trainMember(seed: number, train: Digit[], heldOut: Digit[]): Promise<void> {
  const random = seededRandom(seed);
  const model = digitModel(seed);
  const optimizer = tf.train.adam(0.001);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const started = performance.now();
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    // The learning rate decays from 1e-3 to 5e-5 over the run.
    (optimizer as unknown as { learningRate: number }).learningRate = 0.001 * Math.pow(0.05, (epoch - 1) / Math.max(1, EPOCHS - 1));
    const order = shuffle(train, random);
    let loss = 0;
    for (let start = 0; start < order.length; start += BATCH) {
      const { xs, ys } = batchTensors(order.slice(start, start + BATCH), random);
      loss += ((await model.trainOnBatch(xs, ys)) as number[])[0];
      xs.dispose();
      ys.dispose();
    }
    const batches = Math.ceil(order.length / BATCH);
    const elapsed = ((performance.now() - started) / 1000).toFixed(0);
    console.log(`member ${seed} epoch ${epoch}: loss ${(loss / batches).toFixed(4)}, held-out ${(accuracy([model], heldOut) * 100).toFixed(2)}%, ${elapsed} s`);
  }
  await model.save(fileModelSaver(resolve(OUT, `member-${seed}`)));
}

/** Generates the font digits not generated yet, in processes of their own (one per core). */
async function generateSets(): Promise<void> {
  const missing = (Object.keys(SETS) as SetName[]).flatMap((name) => Array.from({ length: GENERATORS }, (_, part) => ({ name, part }))).filter(({ name, part }) => !existsSync(fileOf(name, part)));
  if (!missing.length) return;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: GENERATORS }, (_, part) =>
      new Promise<void>((done, fail) =>
        fork(__filename, { env: { ...process.env, GENERATE_PART: String(part) } }).on('exit', (code) => (code === 0 ? done() : fail(new Error(`generator ${part} exited with ${code}`)))),
      ),
    ),
  );
  console.log(`font digits generated in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

async function generatePart(part: number): Promise<void> {
  for (const name of Object.keys(SETS) as SetName[]) {
    // Written whole or not at all (saveDigits renames a finished file into place).
    if (existsSync(fileOf(name, part))) continue;
    const { families, count, seed } = SETS[name];
    saveDigits(fileOf(name, part), await fontDigits(families, count, seed, part, GENERATORS));
  }
}

function readSet(name: SetName): FontDigit[] {
  return Array.from({ length: GENERATORS }, (_, part) => loadDigits(fileOf(name, part)) ?? []).flat();
}

function readings(models: tf.LayersModel[], digits: Digit[], temperature = 1): Readings {
  const probs = probabilities(models, digits);
  return {
    probabilities: digits.map((_, i) => withTemperature(Array.from(probs.subarray(i * 10, i * 10 + 10)), temperature)),
    labels: digits.map((digit) => digit.label),
  };
}

const percent = (value: number) => `${(value * 100).toFixed(2)}%`;

/** Accuracy of the readings of the digits for which `key` gives each value (per style, per family). */
function accuracyBy(digits: FontDigit[], read: Readings, key: (digit: FontDigit) => string): string {
  const groups = new Map<string, number[]>();
  digits.forEach((digit, i) => groups.set(key(digit), [...(groups.get(key(digit)) ?? []), i]));
  return [...groups.entries()].map(([value, indices]) => `${value} ${percent(accuracyOf({ probabilities: indices.map((i) => read.probabilities[i]), labels: indices.map((i) => read.labels[i]) }))}`).join(', ');
}

/**
 * Trains the digit CNN ensemble with fixed seeds on the `mnist` package's digits and on digits drawn
 * from font families (the held-out families never), calibrates it (temperature scaling, and the
 * confidence from which a reading is called certain) on families of its own and MNIST digits kept out
 * of training, and reports: held-out MNIST
 * accuracy, held-out families' accuracy overall, per style and per family, and the calibration error.
 * Writes each member's model.json + weights.bin and calibration.json for the digit-recognition service.
 * `npm run train:digits` (EPOCHS, FONT_DIGITS and OUT may be set; CALIBRATE_ONLY=1 calibrates and
 * measures the members already in OUT).
 */
async function main(): Promise<void> {
  const generatorPart = process.env['GENERATE_PART'];
  if (generatorPart) return generatePart(Number(generatorPart));
  const runtime = await initTensorflow('wasm');
  registerWasmConvFilterGradient();
  const { train, calibration, heldOut } = mnistSplit();
  const memberSeed = process.env['MEMBER_SEED'];
  if (memberSeed) return trainMember(Number(memberSeed), [...Array.from({ length: MNIST_PASSES }, () => train).flat(), ...readSet('train')], heldOut);

  const started = performance.now();
  await generateSets();
  const fonts = { train: readSet('train'), calibration: readSet('calibration'), heldOut: readSet('heldOut') };
  console.log(
    `backend ${runtime.backend} (simd ${runtime.simd}); ${train.length} MNIST (${MNIST_PASSES} passes an epoch) and ${fonts.train.length} font digits to train on (${SETS.train.families.length} families, ${STYLES.length} styles); ` +
      `${calibration.length} MNIST and ${fonts.calibration.length} font digits to calibrate on (families ${CALIBRATION_FAMILIES.join(', ')}); ` +
      `${heldOut.length} MNIST and ${fonts.heldOut.length} font digits held out (families ${HELD_OUT_FAMILIES.join(', ')}); ${EPOCHS} epochs; members ${MEMBER_SEEDS.join(', ')}`,
  );
  // CALIBRATE_ONLY=1: the members in OUT as they are, calibrated and measured again.
  if (!process.env['CALIBRATE_ONLY']) {
    await Promise.all(
      MEMBER_SEEDS.map(
        (seed) =>
          new Promise<void>((done, fail) =>
            fork(__filename, { env: { ...process.env, MEMBER_SEED: String(seed) } }).on('exit', (code) => (code === 0 ? done() : fail(new Error(`member ${seed} exited with ${code}`)))),
          ),
      ),
    );
  }
  const members = await Promise.all(MEMBER_SEEDS.map((seed) => tf.loadLayersModel(fileModelLoader(resolve(OUT, `member-${seed}`, 'model.json')))));
  members.forEach((member, i) => console.log(`member ${MEMBER_SEEDS[i]}: held-out MNIST ${percent(accuracy([member], heldOut))}`));

  const temperature = fitTemperature(readings(members, [...fonts.calibration, ...calibration]));
  // Certain must hold for handwriting and for type alike: the higher of the two thresholds.
  const certainAbove = Math.max(certaintyThreshold(readings(members, fonts.calibration, temperature), CERTAIN_TARGET), certaintyThreshold(readings(members, calibration, temperature), CERTAIN_TARGET));
  writeFileSync(join(OUT, 'calibration.json'), `${JSON.stringify({ temperature, certainAbove: Math.round(certainAbove * 10_000) / 10_000 }, null, 2)}\n`);

  const mnistRead = readings(members, heldOut, temperature);
  const fontRead = readings(members, fonts.heldOut, temperature);
  const both: Readings = { probabilities: [...fontRead.probabilities, ...mnistRead.probabilities], labels: [...fontRead.labels, ...mnistRead.labels] };
  const uncalibrated = readings(members, [...fonts.heldOut, ...heldOut]);
  console.log(`held-out MNIST: ${percent(accuracyOf(mnistRead))} of ${heldOut.length}`);
  console.log(`held-out font families, all styles: ${percent(accuracyOf(fontRead))} of ${fonts.heldOut.length}`);
  console.log(`  per style: ${accuracyBy(fonts.heldOut, fontRead, (digit) => digit.style)}`);
  console.log(`  per family: ${accuracyBy(fonts.heldOut, fontRead, (digit) => digit.family)}`);
  console.log(`calibration: temperature ${temperature}; ECE on the held-out digits (fonts and MNIST) ${expectedCalibrationError(uncalibrated).toFixed(4)} before, ${expectedCalibrationError(both).toFixed(4)} after`);
  for (const [name, read] of [['fonts and MNIST', both], ['fonts', fontRead], ['MNIST', mnistRead]] as const) {
    const certain = certainReadings(read, certainAbove);
    console.log(`certain from ${certainAbove.toFixed(4)}, held-out ${name}: ${percent(certain.share)} of the readings, ${percent(certain.accuracy)} of them right`);
  }
  console.log(`trained in ${((performance.now() - started) / 1000).toFixed(0)} s; models in ${OUT}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
