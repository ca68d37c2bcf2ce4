import { rmSync } from 'node:fs';
import { PipelineDefinition } from '@aim/contracts';
import { PipelinesService } from '@aim/engine';
import { finishedTracker, startEngineHost } from './engine-host';
import { fixed } from './stats';

/** One no-op step behind a pipeline with a parameter schema, so every submit validates parameters. */
const WITH_PARAMS: PipelineDefinition = {
  id: 'with-params',
  name: 'one step, with parameters',
  inputs: { data: { contentTypes: ['application/json'] } },
  params: { type: 'object', additionalProperties: false, properties: { label: { type: 'string', maxLength: 40, default: 'x' } } },
  steps: [{ id: 's0', service: 'noop', task: 'pass', inputs: { data: 'inputs.data' } }],
  outputs: { data: 's0.data' },
};

function rssAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().rss;
}

/**
 * Memory over many jobs: RSS after `checkpoints` one-step jobs (each submitted with parameters, run and
 * stored in SQLite), garbage collected first. Flat means nothing is kept per job.
 */
export async function benchMemory(options: { checkpoints: number[]; inFlight: number }): Promise<void> {
  const host = await startEngineHost();
  await host.app.get(PipelinesService).create(WITH_PARAMS);
  const finished = finishedTracker(host);
  console.log(`\n## Memory over one-step jobs (in-process, SQLite store in ${host.dataDir}; node --expose-gc)`);
  let done = 0;
  const rss: [number, number][] = [];
  for (const checkpoint of options.checkpoints) {
    await Promise.all(
      Array.from({ length: options.inFlight }, async () => {
        while (done < checkpoint) {
          done++;
          const { job } = await host.submissions.submit({ pipelineId: WITH_PARAMS.id, inputs: { data: { value: { n: done } } }, params: { label: `job ${done % 1000}` } });
          await finished(job.id);
        }
      }),
    );
    rss.push([checkpoint, rssAfterGc()]);
    console.log(`after ${checkpoint} jobs: RSS ${fixed(rss.at(-1)![1] / 2 ** 20, 1)} MiB`);
  }
  const [first, last] = [rss[0], rss.at(-1)!];
  console.log(`RSS after ${last[0]} jobs is ${fixed((last[1] / first[1] - 1) * 100, 1)}% above RSS after ${first[0]} (goal: within 10%)`);
  await host.app.close();
  rmSync(host.dataDir, { recursive: true, force: true });
}
