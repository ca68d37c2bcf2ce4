import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@aim/test-support';
import { WORKSPACE_ROOT } from './support/split-deployment';

jest.setTimeout(60_000);

describe('the engine on MongoDB (STORE_DRIVER=mongo)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aim-engine-store-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('with no MongoDB at its address, stops within seconds, saying why, without printing the address', async () => {
    // A port that takes connections and never answers: what a server that is not MongoDB looks like.
    const silent = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const { port } = silent.address() as { port: number };
    try {
      const child = spawn(process.execPath, [resolve(WORKSPACE_ROOT, 'dist/apps/engine/main.js')], {
        cwd: dataDir,
        env: { ...process.env, PORT: String(await freePort()), HOST: '127.0.0.1', DATA_DIR: dataDir, STORE_DRIVER: 'mongo', MONGODB_URI: `mongodb://aim:hunter2@127.0.0.1:${port}/aim`, NATS_URL: `nats://127.0.0.1:${await freePort()}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const started = Date.now();
      const code = await new Promise<number | null>((done) => child.on('exit', done));
      expect(code).not.toBe(0);
      expect(Date.now() - started).toBeLessThan(40_000);
      expect(output).toContain('Unable to connect to the database');
      expect(output).not.toContain('hunter2');
    } finally {
      silent.close();
    }
  });
});
