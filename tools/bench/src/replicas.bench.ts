import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { AddressInfo } from 'node:net';
import { startEngineHost } from './engine-host';
import { fixed, percentile, table } from './stats';

/** `main.js --replica-host <dataDir> <replicaId>`: one engine replica with the no-op service, on a shared store; prints its port. */
export async function serveReplica(dataDir: string, replicaId: string): Promise<void> {
  const host = await startEngineHost({ dataDir, replicaId });
  await host.app.listen(0, '127.0.0.1');
  console.log(`PORT ${(host.app.getHttpServer().address() as AddressInfo).port}`);
  process.on('SIGTERM', () => void host.app.close().then(() => process.exit(0)));
}

async function startReplica(dataDir: string, replicaId: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(__dirname, 'main.js'), '--replica-host', dataDir, replicaId], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    text += chunk.toString();
    const port = /PORT (\d+)/.exec(text)?.[1];
    if (port) return { child, url: `http://127.0.0.1:${port}` };
  }
  throw new Error(`replica ${replicaId} exited before it listened`);
}

async function unfinished(url: string): Promise<number> {
  const stats = (await (await fetch(`${url}/api/v1/stats`)).json()) as { jobs: Record<string, number> };
  return stats.jobs['queued'] + stats.jobs['running'];
}

/**
 * Engine replicas on one SQLite file, each a process with the no-op service: one-step jobs submitted as
 * JSON over HTTP by `clients` clients spread over the replicas, from start to the last job finished.
 */
export async function benchReplicas(options: { jobs: number; clients: number; counts: number[] }): Promise<void> {
  console.log(`\n## Engine replicas on one store (SQLite, one-step no-op jobs, HTTP, ${options.clients} clients, ${options.jobs} jobs)`);
  const rows: (string | number)[][] = [['replicas', 'jobs/s (submitted and finished)', 'submit p50 ms', 'submit p99 ms', 'errors']];
  for (const count of options.counts) {
    const dataDir = mkdtempSync(join(tmpdir(), 'aim-replicas-bench-'));
    const replicas = [];
    for (let i = 1; i <= count; i++) replicas.push(await startReplica(dataDir, `bench-${i}`));
    try {
      const worker = new Worker(join(__dirname, 'http-load.worker.js'), {
        workerData: { urls: replicas.map((replica) => `${replica.url}/api/v1/pipelines/one-step/jobs`), clients: options.clients, jobs: options.jobs },
      });
      const [result] = (await once(worker, 'message')) as [{ ids: string[]; latencies: number[]; startedAt: number; errors: number }];
      await worker.terminate();
      while ((await unfinished(replicas[0].url)) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const seconds = (performance.now() + performance.timeOrigin - result.startedAt) / 1000;
      rows.push([count, fixed(result.ids.length / seconds, 0), fixed(percentile(result.latencies, 50)), fixed(percentile(result.latencies, 99)), result.errors]);
    } finally {
      await Promise.all(replicas.map(async ({ child }) => (child.kill('SIGTERM'), once(child, 'exit'))));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  console.log(table(rows));
}
