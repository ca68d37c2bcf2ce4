import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { API_ROUTES, MarketplaceApiError, MarketplaceClient } from '@aim/client';
import type { JobEvent } from '@aim/contracts';
import { MarketplaceHarness, startMarketplace } from './support/marketplace.harness';
import { testFile, WORKSPACE_ROOT } from './support/paths';

const CLI = join(WORKSPACE_ROOT, 'apps/cli/bin/marketplace.js');

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, MARKETPLACE_URL: '', XDG_CONFIG_HOME: join(cwd, '.config') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('the typed client and the CLI against a real server', () => {
  let marketplace: MarketplaceHarness;
  let url: string;
  let client: MarketplaceClient;
  const work = mkdtempSync(join(tmpdir(), 'aim-cli-'));

  beforeAll(async () => {
    marketplace = await startMarketplace({ ML_BACKEND: 'wasm' });
    await marketplace.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(marketplace.app.getHttpServer().address() as AddressInfo).port}`;
    client = new MarketplaceClient({ baseUrl: url });
  }, 120_000);
  afterAll(async () => {
    await marketplace.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('calls exactly the routes of the OpenAPI document, and the document has no route the client lacks', async () => {
    const document = (await (await fetch(`${url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    const called = Object.values(API_ROUTES).map(({ method, path }) => `${method} ${path}`);
    expect(called.filter((route) => !documented.includes(route))).toEqual([]);
    expect(documented.filter((route) => !called.includes(route))).toEqual([]);
  });

  it('runs a pipeline end to end: submit a file, follow the events, download the output', async () => {
    const photo = readFileSync(testFile('faces', 'messi5.jpg'));
    const job = await client.submitJob('thumbnail', { files: { image: new Blob([photo]) }, params: { width: 100 } });
    const events: JobEvent[] = [];
    const last = await client.followJob(job.id, (event) => events.push(event));
    expect(last?.type).toBe('job.succeeded');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const output = await client.downloadOutput(job.id, 'thumbnail');
    expect(output.contentType).toBe('image/jpeg');
    expect((await sharp(Buffer.from(output.data)).metadata()).width).toBe(100);
    expect((await client.jobs({ pipelineId: 'thumbnail' })).items[0].id).toBe(job.id);
  });

  it('turns API errors into MarketplaceApiError with the code, and a dead server into UNREACHABLE', async () => {
    await expect(client.pipeline('nope')).rejects.toMatchObject({ status: 404, code: 'PIPELINE_NOT_FOUND' });
    const invalid = await client.createPipeline({ id: 'x' } as never).catch((e) => e);
    expect(invalid).toBeInstanceOf(MarketplaceApiError);
    expect(invalid.code).toBe('UNAUTHORIZED');
    await expect(new MarketplaceClient({ baseUrl: 'http://127.0.0.1:9' }).services()).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });

  it('CLI: lists services and pipelines, runs a pipeline with a progress line and writes the outputs', async () => {
    const services = await cli(['services', '--url', url], work);
    expect(services.code).toBe(0);
    expect(services.stdout).toMatch(/image-processing\s+available/);
    expect((await cli(['pipelines', '--url', url], work)).stdout).toMatch(/anonymise-faces\s+yes/);

    const result = await cli(['run', 'thumbnail', testFile('faces', 'sample2.jpg'), '-o', 'out', '--param', 'width=64', '--url', url], work);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\[#{20}\] 1\/1 succeeded\s+resize ✓/);
    const [file] = readdirSync(join(work, 'out'));
    expect(file).toMatch(/-thumbnail\.jpg$/);
    expect((await sharp(join(work, 'out', file)).metadata()).width).toBe(64);

    const digit = await cli(['run', 'digit-recognition/read', testFile('digits', 'digit-3-03.jpg'), '-o', 'digits', '--url', url], work);
    expect(digit.code).toBe(0);
    expect(JSON.parse(readFileSync(join(work, 'digits', readdirSync(join(work, 'digits'))[0]), 'utf8'))).toMatchObject({ digit: 3, certain: true });
    expect(digit.stdout).toMatch(/^digit: 3 \(\d+%\)$/m);
    // A photo that is not a digit still gets a best guess, said to be one.
    const guess = await cli(['run', 'digit-recognition/read', testFile('faces', 'messi5.jpg'), '-o', 'digits', '--url', url], work);
    expect(guess.stdout).toMatch(/^digit: \d \(\d+%\), unsure: treat it as a guess$/m);
  }, 60_000);

  it('CLI: a failing job exits 1 with the reason; bad usage and an unreachable server exit 2', async () => {
    const failed = await cli(['run', 'image-processing/crop', testFile('faces', 'messi5.jpg'), '--param', 'region={"x":9000,"y":9000,"width":5,"height":5}', '--url', url], work);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/failed: step "run" failed: the crop region lies outside the 548x342 image/);

    const invalid = await cli(['run', 'thumbnail', testFile('faces', 'messi5.jpg'), '--param', 'width=0', '--url', url], work);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('params.width: must be >= 1');

    expect((await cli(['run', 'thumbnail'], work)).code).toBe(2);
    const unreachable = await cli(['services', '--url', 'http://127.0.0.1:9'], work);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/cannot be reached/);
  }, 60_000);
});
