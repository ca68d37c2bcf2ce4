import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { MarketplaceProcess, PROCESS_USER_KEY, spawnMarketplace } from './support/marketplace.process';

const ADMIN_KEY = 'fuzz-admin-key-0123456789';
const FUZZ_MS = Number(process.env['FUZZ_MS'] ?? 45_000);

interface Operation {
  method: string;
  path: string;
}

interface FuzzRequest {
  operation: Operation;
  params: Record<string, string>;
  rawPath: boolean;
  query: [string, string][];
  key: string | undefined;
  headers: [string, string][];
  body: { kind: 'none' } | { kind: 'json'; text: string; contentType: string } | { kind: 'multipart'; fields: [string, string][]; files: [string, Uint8Array, string][] };
}

/**
 * Generated malformed requests to every route of the OpenAPI document, against the built product with
 * its real models, for a bounded time: nothing may answer 5xx, hang, or end the process.
 */
describe('every route of the API, fed generated malformed requests', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aim-fuzz-'));
  /** Its url is a validating proxy: a status or body the OpenAPI document does not have fails the test. */
  let marketplace: MarketplaceProcess;
  let operations: Operation[];
  const known: Record<string, string[]> = {};

  beforeAll(async () => {
    marketplace = await spawnMarketplace({ DATA_DIR: dataDir, ML_BACKEND: 'wasm', LOG_LEVEL: 'error', ADMIN_API_KEY: ADMIN_KEY, SUBMIT_RATE_PER_SECOND: '0' });
    const document = (await (await fetch(`${marketplace.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
    // Real names and ids, so that generated requests also reach past the 404 of an unknown one.
    const png = await sharp({ create: { width: 24, height: 24, channels: 3, background: '#3a6' } }).png().toBuffer();
    const form = new FormData();
    form.append('image', new Blob([png]), 'a.png');
    const job = (await (await fetch(`${marketplace.url}/api/v1/pipelines/thumbnail/jobs`, { method: 'POST', body: form, headers: { 'x-api-key': PROCESS_USER_KEY } })).json()) as { id: string };
    known['id'] = [job.id, 'thumbnail', 'anonymise-faces', 'read-digit'];
    known['name'] = ['image-processing', 'face-detection', 'thumbnail', 'image', 'report'];
    known['task'] = ['blur', 'resize', 'detect', 'read', 'analyse'];
  }, 120_000);

  afterAll(async () => {
    await marketplace?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('', '..', '../..', '%00', '%E0%A4%A', 'constructor', '__proto__', 'toString', '1e19', '-1', 'NaN', 'null', '[]', '{}', 'a'.repeat(5000)),
    fc.uuid().map(String),
    fc.integer().map(String),
  );
  const jsonText = fc.oneof(
    fc.json({ maxDepth: 4 }),
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify({ inputs: { image: { base64: 'iVBORw0KGgo=' }, data: { value } }, params: value, webhookUrl: value })),
    fc.record({ id: text, name: text, inputs: fc.object(), steps: fc.array(fc.object(), { maxLength: 3 }), outputs: fc.object() }).map((value) => JSON.stringify(value)),
    fc.integer({ min: 1, max: 3000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
    fc.string({ maxLength: 200 }),
  );
  const request = (operation: Operation): fc.Arbitrary<FuzzRequest> =>
    fc.record({
      operation: fc.constant(operation),
      params: fc.record(
        Object.fromEntries([...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name, fc.oneof(fc.constantFrom(...(known[name] ?? ['x'])), text)])),
      ),
      rawPath: fc.boolean(),
      query: fc.array(fc.tuple(fc.oneof(fc.constantFrom('limit', 'offset', 'status', 'pipelineId', 'index'), text), text), { maxLength: 4 }),
      key: fc.constantFrom(undefined, ADMIN_KEY, PROCESS_USER_KEY, 'not-a-known-key-at-all'),
      headers: fc.array(fc.tuple(fc.constantFrom('idempotency-key', 'last-event-id', 'accept', 'cookie', 'authorization'), fc.string({ maxLength: 60 })), { maxLength: 3 }),
      body: fc.oneof(
        fc.constant({ kind: 'none' as const }),
        fc.record({ kind: fc.constant('json' as const), text: jsonText, contentType: fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded') }),
        fc.record({
          kind: fc.constant('multipart' as const),
          fields: fc.array(fc.tuple(fc.oneof(fc.constantFrom('params', 'webhookUrl', 'image', 'data'), text), fc.oneof(jsonText, text)), { maxLength: 4 }),
          files: fc.array(fc.tuple(fc.oneof(fc.constantFrom('image', 'data', 'params'), text), fc.uint8Array({ maxLength: 300 }), fc.constantFrom('image/png', 'image/jpeg', 'application/json', 'x/y')), {
            maxLength: 2,
          }),
        }),
      ),
    });

  function send(fuzz: FuzzRequest): Promise<Response> {
    const path = fuzz.operation.path.replace(/\{(\w+)\}/g, (_, name: string) => (fuzz.rawPath ? fuzz.params[name].replace(/[/?#\s]/g, '') : encodeURIComponent(fuzz.params[name])));
    const query = fuzz.query.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
    const headers: Record<string, string> = {};
    for (const [name, value] of fuzz.headers) if (/^[\t\x20-\x7e]*$/.test(value)) headers[name] = value;
    if (fuzz.key) headers['x-api-key'] = fuzz.key;
    let body: BodyInit | undefined;
    if (fuzz.body.kind === 'json') {
      headers['content-type'] = fuzz.body.contentType;
      body = fuzz.body.text;
    } else if (fuzz.body.kind === 'multipart') {
      const form = new FormData();
      for (const [name, value] of fuzz.body.fields) form.append(name, value);
      for (const [name, bytes, type] of fuzz.body.files) form.append(name, new Blob([new Uint8Array(bytes)], { type }), 'f');
      body = form;
    }
    const method = fuzz.operation.method;
    return fetch(`${marketplace.url}${path}${query ? `?${query}` : ''}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : body,
      signal: AbortSignal.timeout(15_000),
    });
  }

  it('never answers 5xx nor hangs, and the process stays up', async () => {
    const hits = new Map<string, number>();
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.oneof(...operations.map(request)), async (fuzz) => {
        const route = `${fuzz.operation.method} ${fuzz.operation.path}`;
        hits.set(route, (hits.get(route) ?? 0) + 1);
        const response = await send(fuzz);
        // An event stream of a job that is still running goes on: its status is what matters here.
        if (response.headers.get('content-type')?.startsWith('text/event-stream')) await response.body?.cancel();
        else await response.arrayBuffer();
        if (response.status >= 500) failures.push(`${route} answered ${response.status} to ${JSON.stringify(fuzz).slice(0, 600)}`);
        return response.status < 500 && marketplace.child.exitCode === null;
      }),
      { numRuns: 1_000_000, interruptAfterTimeLimit: FUZZ_MS, markInterruptAsFailure: false, seed: Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31) },
    ).catch((error: Error) => {
      throw new Error(`${failures.join('\n')}\n${error.message.slice(0, 3000)}`);
    });
    expect(marketplace.child.exitCode).toBeNull();
    expect((await fetch(`${marketplace.url}/health/live`)).status).toBe(200);
    // Every documented route was tried many times.
    for (const { method, path } of operations) expect([`${method} ${path}`, (hits.get(`${method} ${path}`) ?? 0) >= 10]).toEqual([`${method} ${path}`, true]);
    const metrics = await (await fetch(`${marketplace.url}/metrics`)).text();
    expect(metrics).toMatch(/^marketplace_unhandled_rejections_total 0$/m);
  }, FUZZ_MS + 120_000);
});
