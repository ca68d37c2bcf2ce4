import { ChildProcess } from 'node:child_process';
import { freePort, NodeAppProcess, spawnNodeApp, startValidatingProxy, waitUntilReady as waitForHealth } from '@aim/test-support';
import { MARKETPLACE_BUNDLE, WORKSPACE_ROOT } from './paths';

/** The user key every spawned marketplace knows; `userFetch` calls as its holder. */
export const PROCESS_USER_KEY = 'marketplace-process-user-key';

export function userFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { 'x-api-key': PROCESS_USER_KEY, ...(init.headers as Record<string, string>) } });
}

/** A response's JSON body, or an error naming its status and body when it is not a success. */
export async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export type MarketplaceProcess = NodeAppProcess;

/**
 * Starts the built bundle (`dist/apps/marketplace/main.js`) as its own process, as `npm start` does;
 * `launcher` may put a command in front of it (the node binary and the bundle are its last arguments).
 * Its `url` is a validating proxy in front of it: an answer that does not match the OpenAPI document
 * fails the test that received it.
 */
export async function spawnMarketplace(env: Record<string, string>, launcher: string[] = []): Promise<MarketplaceProcess> {
  const app = await spawnNodeApp(MARKETPLACE_BUNDLE, { cwd: WORKSPACE_ROOT, port: await freePort(), env: { API_KEYS: PROCESS_USER_KEY, ...env }, launcher });
  const proxy = await startValidatingProxy(app.url).catch(async (error: unknown) => {
    await app.stop();
    throw error;
  });
  return {
    ...app,
    url: proxy.url,
    kill: () => app.kill().finally(() => proxy.close()),
    stop: () => app.stop().finally(() => proxy.close()),
  };
}

export function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  return waitForHealth(url, child, output);
}
