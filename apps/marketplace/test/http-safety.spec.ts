import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { get, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { WORKSPACE_ROOT } from './support/paths';

/** A GET whose body stays as it came, compressed or not (fetch and supertest decode it). */
function rawGet(port: number, path: string, acceptEncoding: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers: { 'accept-encoding': acceptEncoding, accept: 'text/html,*/*', 'x-api-key': USER_KEY } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}
import { ADMIN_KEY, api, MarketplaceHarness, startMarketplace, USER_KEY } from './support/marketplace.harness';

const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><script>alert(document.cookie)</script><rect width="40" height="40"/></svg>');

describe('what the marketplace answers with, whatever it is asked', () => {
  let marketplace: MarketplaceHarness;
  let server: ReturnType<MarketplaceHarness['app']['getHttpServer']>;
  let png: Buffer;

  beforeAll(async () => {
    marketplace = await startMarketplace({ SUBMIT_RATE_PER_SECOND: '0.5', SUBMIT_RATE_BURST: '3' });
    server = marketplace.app.getHttpServer();
    png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#468' } }).png().toBuffer();
  });
  afterAll(() => marketplace.close());

  it('sends security headers on the webapp and the API, and no X-Powered-By', async () => {
    for (const path of ['/', '/jobs', '/api/v1/services', '/api/v1/jobs/not-a-uuid', '/api/docs']) {
      const response = await api(server).get(path).set('accept', 'text/html');
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      const policy = response.headers['content-security-policy'];
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).toContain("object-src 'none'");
      expect(policy).not.toContain('unsafe-eval');
    }
    const page = await api(server).get('/').set('accept', 'text/html').expect(200);
    // No inline script or inline event handler, which the policy would block.
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=/i);
  });

  it('sends the webapp compressed (brotli, else gzip), its hashed files cached for good and the page revalidated; the API uncompressed', async () => {
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    // The page is revalidated each time (it names the hashed files); it is below the 1 kB worth compressing.
    const index = await rawGet(port, '/', 'br, gzip');
    expect([index.status, index.headers['cache-control']]).toEqual([200, 'no-cache']);
    const html = (index.headers['content-encoding'] === 'br' ? brotliDecompressSync(index.body) : index.body).toString();
    expect(html).toMatch(/src="main-[A-Z0-9]{8}\.js"/);
    // The largest script of the build: the one compression matters most for.
    const folder = join(WORKSPACE_ROOT, 'dist/apps/webapp/browser');
    const main = readdirSync(folder)
      .filter((name) => name.endsWith('.js'))
      .sort((a, b) => statSync(join(folder, b)).size - statSync(join(folder, a)).size)[0];
    const onDisk = readFileSync(join(folder, main));
    const br = await rawGet(port, `/${main}`, 'br, gzip');
    expect([br.headers['content-encoding'], br.headers['cache-control']]).toEqual(['br', 'public, max-age=31536000, immutable']);
    expect(brotliDecompressSync(br.body).equals(onDisk)).toBe(true);
    expect(br.body.length).toBeLessThan(onDisk.length / 3);
    const gzip = await rawGet(port, `/${main}`, 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(onDisk)).toBe(true);
    const apiAnswer = await rawGet(port, '/api/v1/services', 'br, gzip');
    expect([apiAnswer.status, apiAnswer.headers['content-encoding']]).toEqual([200, undefined]);
  });

  it('serves a stored SVG (or anything a browser could run) as a sandboxed download, never as a page', async () => {
    await api(server)
      .post('/api/v1/pipelines')
      .set('x-api-key', ADMIN_KEY)
      .send({
        id: 'keeps-a-drawing',
        name: 'keeps a drawing',
        inputs: { drawing: { contentTypes: ['image/svg+xml'] }, image: { contentTypes: ['image/png'] } },
        steps: [{ id: 'grey', service: 'image-processing', task: 'greyscale', inputs: { image: 'inputs.image' } }],
        outputs: { image: 'grey.image' },
      })
      .expect(201);
    const job = await api(server)
      .post('/api/v1/pipelines/keeps-a-drawing/jobs')
      .set('x-api-key', ADMIN_KEY)
      .attach('drawing', SVG, { filename: 'x.svg', contentType: 'image/svg+xml' })
      .attach('image', png, 'a.png')
      .expect(202);
    const drawing = await api(server).get(`/api/v1/jobs/${job.body.id}/inputs/drawing`).set('x-api-key', ADMIN_KEY).expect(200);
    expect(drawing.headers['content-disposition']).toMatch(/^attachment; filename="drawing"$/);
    expect(drawing.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(drawing.headers['x-content-type-options']).toBe('nosniff');
    const image = await api(server).get(`/api/v1/jobs/${job.body.id}/inputs/image`).set('x-api-key', ADMIN_KEY).expect(200);
    expect(image.headers['content-disposition']).toMatch(/^inline;/);
    expect(image.headers['content-type']).toBe('image/png');
  });

  it('limits submits per caller: 429 RATE_LIMITED with Retry-After past the burst, others unaffected', async () => {
    const submit = (key?: string) => {
      const call = api(server).post('/api/v1/pipelines/thumbnail/jobs').attach('image', png, 'a.png');
      return key ? call.set('x-api-key', key) : call;
    };
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await submit()).status);
    expect(statuses.filter((status) => status === 202).length).toBeLessThanOrEqual(3);
    const limited = await submit();
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('at most 0.5 per second') });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another caller has a bucket of its own; reads are never limited.
    expect((await submit(ADMIN_KEY)).status).toBe(202);
    await api(server).get('/api/v1/jobs').expect(200);
  });
});
