import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import ts from 'typescript';
import { OpenApiResponseValidator } from '@aim/test-support';
import { MarketplaceHarness, startMarketplace, USER_KEY } from './support/marketplace.harness';
import { testFile, WORKSPACE_ROOT } from './support/paths';

const run = promisify(execFile);

/** The committed types of the typed client, generated from the served document (`UPDATE_API_TYPES=1 npx jest ...api-contract` writes them). */
const CLIENT_TYPES = join(WORKSPACE_ROOT, 'libs/client/src/lib/api-types.generated.ts');

/** The API's types from a document, by the project's generator (openapi-typescript; ES modules only, so a child process). */
async function generateTypes(document: object, dir: string): Promise<string> {
  writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
  await run(process.execPath, [join(WORKSPACE_ROOT, 'tools/scripts/generate-api-types.mjs'), join(dir, 'openapi.json'), join(dir, 'api.ts')], { cwd: WORKSPACE_ROOT });
  return readFileSync(join(dir, 'api.ts'), 'utf8');
}

/** Every `as T`, `<T>x` and `x!` of a program: what a client that fits its API never needs. */
function castsIn(source: string): string[] {
  const file = ts.createSourceFile('program.ts', source, ts.ScriptTarget.ES2022, true);
  const casts: string[] = [];
  const visit = (node: ts.Node) => {
    const isConstAssertion = ts.isAsExpression(node) && ts.isTypeReferenceNode(node.type) && node.type.getText(file) === 'const';
    if ((ts.isAsExpression(node) && !isConstAssertion) || ts.isTypeAssertionExpression(node) || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node)) {
      casts.push(node.getText(file));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return casts;
}

describe('the OpenAPI document, as clients and tools use it', () => {
  let marketplace: MarketplaceHarness;
  let url: string;
  let document: { paths: Record<string, Record<string, { operationId: string }>> };
  // Generated code lives under the workspace so that it resolves openapi-fetch from its node_modules.
  const work = join(WORKSPACE_ROOT, 'node_modules/.cache/api-contract');

  beforeAll(async () => {
    marketplace = await startMarketplace({ SUBMIT_RATE_PER_SECOND: '0' });
    await marketplace.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(marketplace.app.getHttpServer().address() as AddressInfo).port}`;
    document = (await (await fetch(`${url}/api/docs-json`)).json()) as typeof document;
    mkdirSync(work, { recursive: true });
  }, 60_000);
  afterAll(() => marketplace?.close());

  it('is a valid OpenAPI 3.1 document for swagger-parser', async () => {
    const dir = mkdtempSync(join(work, 'parse-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
      // swagger-parser is an ES module only: it runs in a child process.
      const script = "const { default: parser } = await import('@apidevtools/swagger-parser'); const api = await parser.validate(process.argv[1]); console.log(api.openapi);";
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, join(dir, 'openapi.json')], { cwd: WORKSPACE_ROOT });
      expect(stdout.trim()).toBe('3.1.0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('passes redocly lint with the recommended rules, without an error', async () => {
    const dir = mkdtempSync(join(work, 'lint-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
      const cli = join(WORKSPACE_ROOT, 'node_modules/@redocly/cli/bin/cli.js');
      const { stdout } = await run(process.execPath, [cli, 'lint', 'openapi.json', '--extends', 'recommended', '--format', 'json'], { cwd: dir, maxBuffer: 16 << 20 });
      const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { totals: { errors: number }; problems: { severity: string; message: string; location: { pointer: string }[] }[] };
      expect(report.problems.filter((problem) => problem.severity === 'error').map((problem) => `${problem.location[0]?.pointer}: ${problem.message}`)).toEqual([]);
      expect(report.totals.errors).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('documents exactly the routes the server has', () => {
    const router = marketplace.app.getHttpAdapter().getInstance().router as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    const served = router.stack
      .filter((layer) => layer.route)
      .flatMap((layer) => Object.keys(layer.route!.methods).map((method) => `${method} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`))
      .filter((route) => !route.includes('/api/docs'));
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect([...new Set(served)].sort()).toEqual(documented.sort());
  });

  it('catches an answer that does not match it: an undocumented status, a field too many, a wrong code, a missing header', async () => {
    const validator = new OpenApiResponseValidator(document);
    const answer = await fetch(`${url}/api/v1/pipelines/no-such-pipeline`, { headers: { 'x-api-key': USER_KEY } });
    const body = Buffer.from(await answer.arrayBuffer());
    const seen = { method: 'GET', url: '/api/v1/pipelines/no-such-pipeline', status: 404, headers: Object.fromEntries(answer.headers), body };
    expect(validator.check(seen)).toEqual([]);
    expect(validator.check({ ...seen, status: 418 })).toEqual([expect.stringContaining('status 418 is not documented')]);
    const error = JSON.parse(body.toString());
    expect(validator.check({ ...seen, body: Buffer.from(JSON.stringify({ ...error, extra: 1 })) })).toEqual([expect.stringContaining('additional properties')]);
    expect(validator.check({ ...seen, body: Buffer.from(JSON.stringify({ ...error, code: 'QUEUE_FULL' })) })).toEqual([expect.stringContaining('allowed values')]);
    expect(validator.check({ ...seen, headers: { 'content-type': 'text/html' } })).toEqual([expect.stringContaining('answered text/html')]);
    expect(validator.check({ method: 'POST', url: '/api/v1/pipelines/thumbnail/jobs', status: 202, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') })).toEqual([
      expect.stringContaining('the header Location is missing'),
      expect.stringContaining('must have required property'),
    ]);
    expect(validator.check({ method: 'GET', url: '/api/v1/nothing-here', status: 200, headers: {}, body: Buffer.alloc(0) })).toEqual([expect.stringContaining('not 404')]);
    const events = 'id: 1\nevent: job.created\ndata: {"jobId":"x","seq":1,"type":"job.created","at":"2026-01-01T00:00:00Z","status":"queued","extra":true}\n\n';
    const stream = { method: 'GET', url: '/api/v1/jobs/0b9e4a3c-54f3-4c1e-9a52-7c1d2a3f9e10/events', status: 200, headers: { 'content-type': 'text/event-stream' }, body: Buffer.from(events) };
    expect(validator.check(stream)).toEqual([expect.stringContaining('additional properties')]);
  });

  it('generates the typed client’s types: the committed ones are those of the served document', async () => {
    const dir = mkdtempSync(join(work, 'types-'));
    try {
      const generated = await generateTypes(document, dir);
      if (process.env['UPDATE_API_TYPES']) writeFileSync(CLIENT_TYPES, generated);
      expect(readFileSync(CLIENT_TYPES, 'utf8')).toBe(generated);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets a strict program generated against it submit, wait, follow, download and handle an error, with no cast, against the real server', async () => {
    const dir = mkdtempSync(join(work, 'program-'));
    try {
      await generateTypes(document, dir);
      const source = readFileSync(join(__dirname, 'openapi-client/program.ts'), 'utf8');
      expect(castsIn(source)).toEqual([]);
      writeFileSync(join(dir, 'program.ts'), source);
      const program = ts.createProgram([join(dir, 'program.ts')], {
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: false,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        esModuleInterop: true,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: ['node'],
        typeRoots: [join(WORKSPACE_ROOT, 'node_modules/@types')],
        outDir: dir,
      });
      const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diagnostics).toEqual([]);
      program.emit();
      const photo = testFile('faces', 'messi5.jpg');
      const { stdout } = await run(process.execPath, [join(dir, 'program.js'), url, photo], { env: { ...process.env, MARKETPLACE_API_KEY: USER_KEY }, timeout: 60_000 });
      const seen = JSON.parse(stdout);
      expect(seen).toMatchObject({
        multipartStatus: 202,
        location: expect.stringMatching(/^\/api\/v1\/jobs\/[0-9a-f-]{36}$/),
        multipartEnded: 'succeeded',
        outputType: 'image/jpeg',
        jsonStatus: 200,
        jsonJob: 'succeeded',
        listed: true,
        errorStatus: 404,
        errorCode: 'handled PIPELINE_NOT_FOUND',
      });
      expect(seen.events[0]).toBe('job.created');
      expect(seen.events.at(-1)).toBe('job.succeeded');
      expect((await sharp(Buffer.from(seen.outputBase64, 'base64')).metadata()).width).toBe(64);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
