import 'reflect-metadata';
import { resolve } from 'node:path';
import { cpus } from 'node:os';
import { benchAi } from './ai.bench';
import { benchEngine } from './engine.bench';
import { benchFaces } from './faces.bench';
import { benchImages } from './image.bench';
import { benchMemory } from './memory.bench';
import { benchRealPath, RealPathFigures } from './real-path.bench';
import { benchReplicas, serveReplica } from './replicas.bench';
import { benchSplit } from './split.bench';
import { fixed, table } from './stats';
import { benchWebapp } from './webapp.bench';

const ROOT = resolve(__dirname, '../../..');
const TEST_DATA = resolve(ROOT, 'testdata');

/**
 * `npm run bench -- [path] [engine] [images] [memory] [ai] [faces] [split] [replicas] [webapp] [--jimp-blur]`: prints the engine overhead and image-processing
 * figures; with both path and engine, a summary of the real path beside the no-op path and raw sharp. Numbers are from this machine and this run; nothing is asserted.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--replica-host') return serveReplica(args[1], args[2]);
  const all = !['path', 'engine', 'images', 'ai', 'faces', 'memory', 'split', 'replicas', 'webapp'].some((part) => args.includes(part));
  console.log(`# AI Marketplace benchmark: node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()})`);
  const path = all || args.includes('path') ? await benchRealPath({ root: ROOT, testData: TEST_DATA, rounds: 5, clients: 32 }) : undefined;
  const noop = all || args.includes('engine') ? await benchEngine({ jobs: 1000, clients: 32, httpJobs: 6000 }) : undefined;
  if (path && noop) printSummary(path, noop);
  if (all || args.includes('images')) {
    await benchImages({ photo: resolve(TEST_DATA, 'faces/sample1.jpg'), runs: 15, jimpRuns: 3, jimpBlur: args.includes('--jimp-blur') });
  }
  if (all || args.includes('memory')) await benchMemory({ checkpoints: [10_000, 50_000, 100_000], inFlight: 32 });
  if (all || args.includes('ai')) await benchAi({ root: ROOT, testData: TEST_DATA, runs: 20, leakCalls: 1000 });
  if (all || args.includes('faces')) await benchFaces({ root: ROOT, testData: TEST_DATA, runs: 10, leakCalls: 200 });
  if (all || args.includes('split')) await benchSplit({ root: ROOT, testData: TEST_DATA, jobs: 200 });
  if (all || args.includes('replicas')) await benchReplicas({ jobs: 6000, clients: 32, counts: [1, 2, 3] });
  if (all || args.includes('webapp')) await benchWebapp({ root: ROOT, testData: TEST_DATA, runs: 3 });
}

/** The real path beside the no-op JSON path and the raw sharp call, each in jobs/s with its ratio. */
function printSummary(path: RealPathFigures, noopJobsPerSecond: number): void {
  console.log('\n## The real path beside the no-op path and the raw sharp call');
  console.log(
    table([
      ['work', 'client', 'real path jobs/s', 'no-op JSON jobs/s', 'real / no-op', 'raw sharp jobs/s', 'real / raw sharp', 'BullMQ peer jobs/s', 'real / peer'],
      ...path.rows.map((row) => [
        row.image,
        row.mode,
        fixed(row.marketplace, 0),
        fixed(noopJobsPerSecond, 0),
        fixed(row.marketplace / noopJobsPerSecond, 2),
        fixed(row.rawSharp, 0),
        fixed(row.marketplace / row.rawSharp, 2),
        fixed(row.peer, 0),
        fixed(row.marketplace / row.peer, 2),
      ]),
    ]),
  );
}

const replicaHost = process.argv[2] === '--replica-host';
main().then(
  // A replica host keeps serving until it is stopped.
  () => (replicaHost ? undefined : process.exit(0)),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
