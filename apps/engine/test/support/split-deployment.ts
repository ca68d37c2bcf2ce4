import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, NodeAppProcess, spawnNodeApp } from '@aim/test-support';

export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
export const SERVICES = ['image-processing', 'face-detection', 'face-analyzer', 'digit-recognition'] as const;
export type ServiceName = (typeof SERVICES)[number];
export const USER_KEY = 'split-test-user-key-0123456789';

export function testFile(...parts: string[]): string {
  const path = join(WORKSPACE_ROOT, 'testdata', ...parts);
  if (!existsSync(path)) throw new Error(`test data ${path} is missing from the repository's testdata/ folder`);
  return path;
}

function bundle(app: string): string {
  const path = join(WORKSPACE_ROOT, 'dist/apps', app, 'main.js');
  if (!existsSync(path)) throw new Error(`${path} is not built: nx build ${app === 'marketplace' ? app : `${app}-app`}`);
  return path;
}

export interface JobAnswer {
  status: number;
  body: {
    id: string;
    status: string;
    error?: { code: string; message: string };
    outputs?: Record<string, { contentType: string; value?: unknown; url?: string }>;
    steps: { id: string; status: string; attempts: number; instanceId?: string }[];
  };
}

export interface ServiceView {
  name: string;
  status: string;
  instances: { id: string; available: boolean; inFlight: number; queueDepth: number }[];
}

/** A running engine (the split shape's, or the one-process marketplace) as its users call it over HTTP. */
export class EngineClient {
  constructor(readonly url: string) {}

  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.url}${path}`, { ...init, headers: { 'x-api-key': USER_KEY, ...(init.headers as Record<string, string>) } });
  }

  /** Submits a multipart job and waits for its end (Prefer: wait). */
  async run(pipeline: string, image: Uint8Array, filename: string, params: Record<string, unknown> = {}, waitSeconds = 60): Promise<JobAnswer> {
    const form = new FormData();
    form.append('image', new Blob([image]), filename);
    form.append('params', JSON.stringify(params));
    const response = await this.fetch(`/api/v1/pipelines/${pipeline}/jobs`, { method: 'POST', body: form, headers: { prefer: `wait=${waitSeconds}` } });
    return { status: response.status, body: (await response.json()) as JobAnswer['body'] };
  }

  async job(id: string): Promise<JobAnswer['body']> {
    return (await (await this.fetch(`/api/v1/jobs/${id}`)).json()) as JobAnswer['body'];
  }

  /** Each output as users get it: a JSON value, or the SHA-256 of the downloaded file. */
  async outputs(job: JobAnswer['body']): Promise<Record<string, unknown>> {
    const seen: Record<string, unknown> = {};
    for (const [name, output] of Object.entries(job.outputs ?? {})) {
      if (!output.url) {
        seen[name] = output.value;
        continue;
      }
      const response = await this.fetch(output.url);
      if (!response.ok) throw new Error(`${output.url}: ${response.status} ${await response.text()}`);
      seen[name] = { contentType: response.headers.get('content-type'), sha256: createHash('sha256').update(Buffer.from(await response.arrayBuffer())).digest('hex') };
    }
    return seen;
  }

  async services(): Promise<ServiceView[]> {
    return (await (await this.fetch('/api/v1/services')).json()) as ServiceView[];
  }

  /** Waits until every named service has `count` available instances. */
  async waitForServices(names: readonly string[], count = 1, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const services = await this.services().catch(() => []);
      const ready = names.every((name) => (services.find((s) => s.name === name)?.instances.filter((i) => i.available).length ?? 0) >= count);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`services not available in time: ${JSON.stringify(services.map((s) => [s.name, s.status, s.instances.length]))}`);
      await sleep(100);
    }
  }
}

export type Transport = { kind: 'nats'; url: string } | { kind: 'tcp' };

/** The split shape as real processes: the engine and each service on its own, over NATS or TCP. */
export class SplitDeployment {
  readonly instances = new Map<ServiceName, NodeAppProcess[]>();
  engine!: NodeAppProcess;
  client!: EngineClient;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'aim-split-'));
  private env: Record<string, string> = {};

  private constructor(private readonly transport: Transport) {}

  static async start(transport: Transport, extraEnv: Record<string, string> = {}, services: readonly ServiceName[] = SERVICES): Promise<SplitDeployment> {
    const deployment = new SplitDeployment(transport);
    try {
      await deployment.boot(extraEnv, services);
    } catch (error) {
      // What did start is stopped: a process left behind would keep the test run from ending.
      await deployment.stop();
      throw error;
    }
    return deployment;
  }

  private async boot(extraEnv: Record<string, string>, services: readonly ServiceName[]): Promise<void> {
    const common: Record<string, string> = {
      LOG_LEVEL: 'warn',
      HEARTBEAT_INTERVAL_MS: '500',
      ML_BACKEND: 'wasm',
      // Every process of the split shape shares the data folder only over TCP (blobs in a folder then).
      DATA_DIR: this.dataDir,
      ...extraEnv,
    };
    if (this.transport.kind === 'nats') {
      Object.assign(common, { TRANSPORT: 'nats', NATS_URL: this.transport.url });
    } else {
      const ports = await Promise.all(SERVICES.map(() => freePort()));
      Object.assign(common, {
        TRANSPORT: 'tcp',
        ENGINE_TCP_HOST: '127.0.0.1',
        ENGINE_TCP_PORT: String(await freePort()),
        TCP_SERVICES: SERVICES.map((name, i) => `${name}=127.0.0.1:${ports[i]}`).join(','),
      });
    }
    this.env = common;
    this.engine = await spawnNodeApp(bundle('engine'), { cwd: WORKSPACE_ROOT, port: await freePort(), env: { ...common, API_KEYS: USER_KEY } });
    this.client = new EngineClient(this.engine.url);
    const started = await Promise.allSettled(services.map((name) => this.startInstance(name)));
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    await this.client.waitForServices(services);
  }

  /** Starts one more instance of a service and waits until it takes calls. */
  async startInstance(name: ServiceName): Promise<NodeAppProcess> {
    const instance = await spawnNodeApp(bundle(name), { cwd: WORKSPACE_ROOT, port: await freePort(), env: this.env, timeoutMs: 120_000 });
    this.instances.set(name, [...(this.instances.get(name) ?? []), instance]);
    return instance;
  }

  async stop(): Promise<void> {
    const all = [...this.instances.values()].flat();
    await Promise.all(all.map((instance) => instance.stop()));
    await this.engine?.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The one-process marketplace, for comparing results with. */
export async function startOneProcess(): Promise<{ client: EngineClient; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aim-one-'));
  const process = await spawnNodeApp(bundle('marketplace'), { cwd: WORKSPACE_ROOT, port: await freePort(), env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn', ML_BACKEND: 'wasm', API_KEYS: USER_KEY } });
  const client = new EngineClient(process.url);
  await client.waitForServices(SERVICES);
  return {
    client,
    stop: async () => {
      await process.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
