import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { freePort, NatsServer, NodeAppProcess, spawnNodeApp } from '@aim/test-support';
import { testFile, WORKSPACE_ROOT } from './support/split-deployment';

jest.setTimeout(120_000);

const FACES = JSON.parse(readFileSync(testFile('faces/faces.json'), 'utf8')) as Record<string, { faces: number }>;

function post(url: string, fields: Record<string, Blob | string>): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, `${name}.bin`);
  }
  return fetch(url, { method: 'POST', body: form });
}

describe('a service process alone, over HTTP, as each service of the original product was', () => {
  let nats: NatsServer;
  let detector: NodeAppProcess;
  let imaging: NodeAppProcess;
  const dataDir = mkdtempSync(join(tmpdir(), 'aim-alone-'));

  beforeAll(async () => {
    nats = await NatsServer.start();
    const env = { TRANSPORT: 'nats', NATS_URL: nats.url, LOG_LEVEL: 'warn', ML_BACKEND: 'wasm', DATA_DIR: dataDir, HEARTBEAT_INTERVAL_MS: '500', MAX_UPLOAD_BYTES: '2000000' };
    [detector, imaging] = await Promise.all([
      spawnNodeApp(resolve(WORKSPACE_ROOT, 'dist/apps/face-detection/main.js'), { cwd: WORKSPACE_ROOT, port: await freePort(), env, timeoutMs: 120_000 }),
      spawnNodeApp(resolve(WORKSPACE_ROOT, 'dist/apps/image-processing/main.js'), { cwd: WORKSPACE_ROOT, port: await freePort(), env }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([detector?.stop(), imaging?.stop()]);
    await nats?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('POST /tasks/detect with a photo answers its faces', async () => {
    for (const file of ['sample3.jpg', 'messi5.jpg']) {
      const response = await post(`${detector.url}/tasks/detect`, { image: new Blob([readFileSync(testFile('faces', file))]) });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { faces: { box: { width: number } }[] };
      expect([file, body.faces.length]).toEqual([file, FACES[file].faces]);
    }
  });

  it('answers an image task with the image itself, parameters as JSON text', async () => {
    const response = await post(`${imaging.url}/tasks/resize`, { image: new Blob([readFileSync(testFile('faces/sample2.jpg'))]), params: '{"width":120}' });
    expect([response.status, response.headers.get('content-type')]).toEqual([200, 'image/jpeg']);
    expect(await sharp(Buffer.from(await response.arrayBuffer())).metadata()).toMatchObject({ width: 120, format: 'jpeg' });
  });

  it('answers bad input with the stable error codes, never a 500', async () => {
    const photo = new Blob([readFileSync(testFile('faces/sample2.jpg'))]);
    const cases: [string, Record<string, Blob | string>, number, string][] = [
      ['tasks/nope', { image: photo }, 404, 'TASK_NOT_FOUND'],
      ['tasks/resize', {}, 400, 'INPUT_MISSING'],
      ['tasks/resize', { image: new Blob([Buffer.from('not an image at all')]) }, 422, 'INVALID_IMAGE'],
      ['tasks/resize', { image: photo, params: '{"width":' }, 400, 'INVALID_JSON'],
      ['tasks/resize', { image: photo, params: '{"width":-3}' }, 400, 'INVALID_PARAMETERS'],
      ['tasks/resize', { image: photo, params: '[1]' }, 400, 'INVALID_PARAMETERS'],
      ['tasks/resize', { image: new Blob([Buffer.alloc(2_100_000)]) }, 413, 'PAYLOAD_TOO_LARGE'],
    ];
    for (const [path, fields, status, code] of cases) {
      const response = await post(`${imaging.url}/${path}`, fields);
      const body = (await response.json()) as { code: string; message: string };
      expect([path, JSON.stringify(fields).slice(0, 40), response.status, body.code]).toEqual([path, JSON.stringify(fields).slice(0, 40), status, code]);
      expect(body.message.length).toBeGreaterThan(10);
    }
  });

  it('serves its own OpenAPI document, Swagger UI, health and metrics', async () => {
    const document = (await (await fetch(`${detector.url}/api/docs-json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/tasks/detect', '/health/ready', '/metrics']));
    expect((await fetch(`${detector.url}/api/docs`)).status).toBe(200);
    expect(await (await fetch(`${detector.url}/health/ready`)).json()).toMatchObject({ status: 'ready', service: 'face-detection' });
    const metrics = await (await fetch(`${detector.url}/metrics`)).text();
    expect(metrics).toMatch(/aim_service_calls_total\{service="face-detection",task="detect",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/aim_service_in_flight\{service="face-detection"\} 0/);
  });

  it('is not ready while cut off from its broker, and ready again once it is back', async () => {
    await nats.stop();
    let status = 200;
    for (let i = 0; i < 100 && status === 200; i++) {
      status = (await fetch(`${imaging.url}/health/ready`)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(503);
    expect((await fetch(`${imaging.url}/health/live`)).status).toBe(200);
    await nats.restart();
    for (let i = 0; i < 200 && status !== 200; i++) {
      status = (await fetch(`${imaging.url}/health/ready`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
  });

  it('starts while its broker is not there yet: alive at once, ready once the broker comes', async () => {
    const late = await NatsServer.start();
    await late.stop();
    const env = { TRANSPORT: 'nats', NATS_URL: late.url, LOG_LEVEL: 'error', DATA_DIR: dataDir, HEARTBEAT_INTERVAL_MS: '500' };
    const lonely = await spawnNodeApp(resolve(WORKSPACE_ROOT, 'dist/apps/image-processing/main.js'), { cwd: WORKSPACE_ROOT, port: await freePort(), env, ready: 'live' });
    try {
      const waiting = await fetch(`${lonely.url}/health/ready`);
      expect([waiting.status, ((await waiting.json()) as { status: string }).status]).toEqual([503, 'no connection to the broker']);
      await late.restart();
      let status = 503;
      for (let i = 0; i < 200 && status !== 200; i++) {
        status = (await fetch(`${lonely.url}/health/ready`)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe(200);
    } finally {
      await lonely.stop();
      await late.dispose();
    }
  });

  it('over TCP, stops at start with a message naming the port when its port is taken', async () => {
    const taken = createServer();
    const port = await freePort();
    await new Promise<void>((done) => taken.listen(port, '127.0.0.1', () => done()));
    try {
      const env = { TRANSPORT: 'tcp', TCP_SERVICES: `image-processing=127.0.0.1:${port}`, ENGINE_TCP_PORT: String(await freePort()), LOG_LEVEL: 'error', DATA_DIR: dataDir };
      await expect(spawnNodeApp(resolve(WORKSPACE_ROOT, 'dist/apps/image-processing/main.js'), { cwd: WORKSPACE_ROOT, port: await freePort(), env, ready: 'live' })).rejects.toThrow(
        new RegExp(`exited with 1[\\s\\S]*EADDRINUSE[\\s\\S]*${port}`),
      );
    } finally {
      taken.close();
    }
  });
});
