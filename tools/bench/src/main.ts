import 'reflect-metadata';
import { resolve } from 'node:path';
import { cpus } from 'node:os';
import { benchAi } from './ai.bench';
import { benchEngine } from './engine.bench';
import { benchImages } from './image.bench';
import { benchMemory } from './memory.bench';
import { benchRealPath } from './real-path.bench';

const ROOT = resolve(__dirname, '../../..');
const TEST_DATA = resolve(ROOT, 'testdata');

/**
 * `npm run bench -- [path] [engine] [images] [memory] [ai] [--jimp-blur]`: prints the engine overhead and image-processing
 * figures. Numbers are from this machine and this run; nothing is asserted.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const all = !['path', 'engine', 'images', 'ai', 'memory'].some((part) => args.includes(part));
  console.log(`# AI Marketplace benchmark: node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()})`);
  if (all || args.includes('path')) await benchRealPath({ root: ROOT, testData: TEST_DATA, rounds: 5, clients: 32 });
  if (all || args.includes('engine')) await benchEngine({ jobs: 1000, clients: 32, httpJobs: 6000 });
  if (all || args.includes('images')) {
    await benchImages({ photo: resolve(TEST_DATA, 'faces/sample1.jpg'), runs: 15, jimpRuns: 3, jimpBlur: args.includes('--jimp-blur') });
  }
  if (all || args.includes('memory')) await benchMemory({ checkpoints: [10_000, 50_000, 100_000], inFlight: 32 });
  if (all || args.includes('ai')) await benchAi({ root: ROOT, testData: TEST_DATA, runs: 20, leakCalls: 1000 });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
