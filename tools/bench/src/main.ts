import 'reflect-metadata';
import { resolve } from 'node:path';
import { cpus } from 'node:os';
import { benchEngine } from './engine.bench';
import { benchImages } from './image.bench';

/**
 * `npm run bench -- [engine] [images] [--jimp-blur]`: prints the engine overhead and image-processing
 * figures. Numbers are from this machine and this run; nothing is asserted.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const all = !args.includes('engine') && !args.includes('images');
  console.log(`# AI Marketplace benchmark: node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()})`);
  if (all || args.includes('engine')) await benchEngine({ jobs: 1000, clients: 32, httpJobs: 6000 });
  if (all || args.includes('images')) {
    await benchImages({ photo: resolve(__dirname, '../../../../shared/data/faces/sample1.jpg'), runs: 15, jimpRuns: 3, jimpBlur: args.includes('--jimp-blur') });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
