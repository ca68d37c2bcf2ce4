import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { EngineHost, finishedTracker, startEngineHost } from './engine-host';
import { fixed, percentile, table } from './stats';

async function submitAndWait(host: EngineHost, finished: (id: string) => Promise<void>, pipelineId: string): Promise<number> {
  const started = performance.now();
  const { job } = await host.submissions.submit({ pipelineId, inputs: { data: { value: { n: 1 } } }, params: {} });
  await finished(job.id);
  return performance.now() - started;
}

async function sequential(host: EngineHost, finished: (id: string) => Promise<void>, pipelineId: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await submitAndWait(host, finished, pipelineId));
  return times;
}

async function concurrent(host: EngineHost, finished: (id: string) => Promise<void>, pipelineId: string, count: number, inFlight: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < count) await submitAndWait(host, finished, pipelineId);
    }),
  );
  return (count / (performance.now() - started)) * 1000;
}

/** Prints the engine's own overhead; answers the jobs/s of no-op jobs submitted as JSON over HTTP. */
export async function benchEngine(options: { jobs: number; clients: number; httpJobs: number }): Promise<number> {
  const host = await startEngineHost();
  const finished = finishedTracker(host);

  console.log(`\n## Engine overhead (no-op task, in-process, SQLite store in ${host.dataDir})`);
  await sequential(host, finished, 'five-steps', 200); // warm-up
  await sequential(host, finished, 'one-step', 200);
  const five = await sequential(host, finished, 'five-steps', options.jobs);
  const one = await sequential(host, finished, 'one-step', options.jobs);
  const perStep = five.map((t) => t / 5);
  const marginal = percentile(five, 50) - percentile(one, 50);
  console.log(
    table([
      ['measure', 'p50 ms', 'p99 ms'],
      ['5-step job, submit to succeeded', fixed(percentile(five, 50)), fixed(percentile(five, 99))],
      ['  per step (job time / 5)', fixed(percentile(perStep, 50), 3), fixed(percentile(perStep, 99), 3)],
      ['1-step job, submit to succeeded', fixed(percentile(one, 50)), fixed(percentile(one, 99))],
      ['  each added step (5-step minus 1-step, / 4)', fixed(marginal / 4, 3), '-'],
    ]),
  );
  const inProcess1 = await concurrent(host, finished, 'one-step', options.jobs * 2, options.clients);
  const inProcess5 = await concurrent(host, finished, 'five-steps', options.jobs, options.clients);
  console.log(`in-process throughput, ${options.clients} in flight: ${fixed(inProcess1, 0)} one-step jobs/s, ${fixed(inProcess5, 0)} five-step jobs/s`);

  await host.app.listen(0, '127.0.0.1');
  const port = (host.app.getHttpServer().address() as AddressInfo).port;
  const worker = new Worker(join(__dirname, 'http-load.worker.js'), {
    workerData: { url: `http://127.0.0.1:${port}/api/v1/pipelines/one-step/jobs`, clients: options.clients, jobs: options.httpJobs },
  });
  const [result] = (await once(worker, 'message')) as [{ ids: string[]; latencies: number[]; startedAt: number; errors: number }];
  await Promise.all(result.ids.map((id) => finished(id)));
  const seconds = (performance.now() + performance.timeOrigin - result.startedAt) / 1000;
  console.log(
    `HTTP API, ${options.clients} concurrent clients, ${result.ids.length} one-step jobs (JSON submit): ` +
      `${fixed(result.ids.length / seconds, 0)} jobs/s submitted and succeeded; submit latency p50 ${fixed(percentile(result.latencies, 50))} ms, ` +
      `p99 ${fixed(percentile(result.latencies, 99))} ms; ${result.errors} errors`,
  );
  await worker.terminate();
  await host.app.close();
  rmSync(host.dataDir, { recursive: true, force: true });
  return result.ids.length / seconds;
}
