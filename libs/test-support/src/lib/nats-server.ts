import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Ports this process has handed out: never twice, though each is free again once its test is done. */
const handedOut = new Set<number>();

/**
 * A port that is free now, for a server a test starts. Taken from below Linux's ephemeral range
 * (32768-60999), where outgoing connections take their local ports: a port found free there could be
 * taken by a connection before the server binds it. Never the same port twice in one process.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (handedOut.has(port)) continue;
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found between 20000 and 32000');
}

/** Whether something accepts TCP connections on the port (within `ms`). */
export async function reachable(port: number, host = '127.0.0.1', ms = 300): Promise<boolean> {
  const socket = createConnection({ host, port });
  try {
    await Promise.race([once(socket, 'connect'), sleep(ms).then(() => Promise.reject(new Error('timeout')))]);
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

/**
 * For tests only. A real NATS server of the test's own (never the machine's: tests stop and restart it), on a free port,
 * with JetStream in a folder of its own and the default 1 MB max_payload.
 */
export class NatsServer {
  private child?: ChildProcess;
  private readonly folder = mkdtempSync(join(tmpdir(), 'aim-nats-'));

  private constructor(readonly port: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<NatsServer> {
    const server = new NatsServer(await freePort());
    await server.restart();
    return server;
  }

  /** Starts the server (again, on the same port and folder). */
  async restart(): Promise<void> {
    if (this.child) return;
    const binary = process.env['NATS_SERVER'] ?? 'nats-server';
    this.child = spawn(binary, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.folder], { stdio: 'ignore' });
    this.child.on('exit', () => (this.child = undefined));
    for (let i = 0; i < 100; i++) {
      if (await reachable(this.port)) return;
      if (!this.child) throw new Error(`${binary} exited at start`);
      await sleep(50);
    }
    throw new Error(`${binary} did not listen on ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(kill);
    this.child = undefined;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.folder, { recursive: true, force: true });
  }
}
