import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { MARKETPLACE_BUNDLE, WORKSPACE_ROOT } from './paths';

/** The user key every spawned marketplace knows; `userFetch` calls as its holder. */
export const PROCESS_USER_KEY = 'marketplace-process-user-key';

export function userFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { 'x-api-key': PROCESS_USER_KEY, ...(init.headers as Record<string, string>) } });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface MarketplaceProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGKILL: no shutdown hook runs, as in a crash. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the built bundle (`dist/apps/marketplace/main.js`) as its own process, as `npm start` does;
 * `launcher` may put a command in front of it (the node binary and the bundle are its last arguments).
 */
export async function spawnMarketplace(env: Record<string, string>, launcher: string[] = []): Promise<MarketplaceProcess> {
  const port = await freePort();
  const [command, ...args] = [...launcher, process.execPath, MARKETPLACE_BUNDLE];
  const child = spawn(command, args, {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', API_KEYS: PROCESS_USER_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntilReady(url, child, () => output);
  return {
    url,
    child,
    output: () => output,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the marketplace exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error(`the marketplace did not become ready:\n${output()}`);
    await sleep(50);
  }
}
