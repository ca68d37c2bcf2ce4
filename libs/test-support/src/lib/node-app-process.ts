import { ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface NodeAppProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGKILL: no shutdown hook runs, as in a crash. */
  kill(): Promise<void>;
  /** SIGTERM: a graceful stop. */
  stop(): Promise<void>;
}

/** Waits until `url` answers 200 on `/health/<path>`; throws with the process's output if it exits first or takes too long. */
export async function waitUntilReady(url: string, child: ChildProcess, output: () => string, options: { path?: 'ready' | 'live'; timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${child.spawnargs.at(-1)} exited with ${child.exitCode}:\n${output()}`);
    if (await fetch(`${url}/health/${options.path ?? 'ready'}`).then((r) => r.ok, () => false)) return;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${child.spawnargs.at(-1)} did not become ready:\n${output()}`);
    }
    await sleep(50);
  }
}

/**
 * For tests only. Starts a built app bundle (`dist/apps/<app>/main.js`) as its own Node process on
 * `port`, and waits until `/health/ready` answers 200 (or `/health/live` with `ready: 'live'`).
 * `launcher` may put a command in front of it (the node binary and the bundle are its last arguments).
 */
export async function spawnNodeApp(
  bundle: string,
  options: { cwd: string; port: number; env: Record<string, string>; ready?: 'ready' | 'live'; timeoutMs?: number; launcher?: string[] },
): Promise<NodeAppProcess> {
  const [command, ...args] = [...(options.launcher ?? []), process.execPath, bundle];
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, PORT: String(options.port), HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntilReady(url, child, () => output, { path: options.ready, timeoutMs: options.timeoutMs });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, child, output: () => output, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
