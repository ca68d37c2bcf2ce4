import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import request from 'supertest';
import { ADMIN_KEY, api, MarketplaceHarness, startMarketplace } from './support/marketplace.harness';
import { testFile } from './support/paths';

const PHOTO = readFileSync(testFile('faces', 'sample1.jpg'));

async function finished(server: unknown, id: string) {
  for (let i = 0; i < 500; i++) {
    const job = (await api(server as never).get(`/api/v1/jobs/${id}`).expect(200)).body;
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await sleep(20);
  }
  throw new Error(`job ${id} did not finish`);
}

describe('the one-process marketplace over HTTP', () => {
  let marketplace: MarketplaceHarness;
  let server: ReturnType<MarketplaceHarness['app']['getHttpServer']>;

  beforeAll(async () => {
    marketplace = await startMarketplace({ MAX_UPLOAD_BYTES: '400000', MAX_IMAGE_PIXELS: '3000000' });
    server = marketplace.app.getHttpServer();
  });
  afterAll(() => marketplace.close());

  it('lists image-processing with its tasks and status, and the built-in pipelines as runnable', async () => {
    const services = (await api(server).get('/api/v1/services').expect(200)).body;
    const imageProcessing = services.find((s: { name: string }) => s.name === 'image-processing');
    expect(imageProcessing.status).toBe('available');
    expect(imageProcessing.tasks.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(['blur', 'crop', 'resize', 'rotate', 'flip', 'greyscale', 'adjust', 'convert', 'annotate']),
    );
    expect(imageProcessing.instances[0]).toMatchObject({ available: true, concurrency: 8 });
    const pipelines = (await api(server).get('/api/v1/pipelines').expect(200)).body;
    expect(pipelines.find((p: { id: string }) => p.id === 'thumbnail')).toMatchObject({ runnable: true, builtIn: true, notRunnableReasons: [] });
  });

  it('makes a thumbnail of a real JPEG: 202, succeeded, a valid image of the requested size', async () => {
    const accepted = await api(server)
      .post('/api/v1/pipelines/thumbnail/jobs')
      .attach('image', PHOTO, { filename: 'sample1.jpg', contentType: 'image/jpeg' })
      .field('params', JSON.stringify({ width: 300 }))
      .expect(202);
    expect(accepted.body.inputs.image).toEqual({ contentType: 'image/jpeg', size: PHOTO.length });
    const job = await finished(server, accepted.body.id);
    expect(job.status).toBe('succeeded');
    const output = await api(server).get(job.outputs.thumbnail.url).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(output.headers['content-type']).toBe('image/jpeg');
    expect(await sharp(output.body as Buffer).metadata()).toMatchObject({ format: 'jpeg', width: 300, height: 200 });
  });

  it('answers a submit that asks to wait (Prefer: wait) with the finished thumbnail, in one call', async () => {
    const done = await api(server)
      .post('/api/v1/services/image-processing/tasks/resize/jobs')
      .set('Prefer', 'wait=30')
      .attach('image', PHOTO, { filename: 'sample1.jpg', contentType: 'image/jpeg' })
      .field('params', JSON.stringify({ width: 120 }))
      .expect(200);
    expect(done.headers['preference-applied']).toBe('wait=30');
    expect(done.body.status).toBe('succeeded');
    const output = await api(server).get(done.body.outputs.image.url).buffer(true).expect(200);
    expect(await sharp(output.body as Buffer).metadata()).toMatchObject({ format: 'jpeg', width: 120, height: 80 });
  });

  it('gives an image that already fits as its thumbnail unchanged, kept once on disk', async () => {
    const small = await sharp(PHOTO).resize(40, 27).png().toBuffer();
    const done = await api(server).post('/api/v1/pipelines/thumbnail/jobs').set('Prefer', 'wait=30').attach('image', small, 'small.png').expect(200);
    expect(done.body.status).toBe('succeeded');
    expect(done.body.outputs.thumbnail).toMatchObject({ contentType: 'image/png', size: small.length });
    const output = await api(server).get(done.body.outputs.thumbnail.url).buffer(true).expect(200);
    expect(Buffer.compare(output.body as Buffer, small)).toBe(0);
    const id = done.body.id as string;
    const shard = join(marketplace.dataDir, 'blobs/jobs', `~${id.slice(0, 2)}`);
    expect(readdirSync(shard).filter((name) => name.startsWith(id))).toEqual([`${id}~inputs~image`]);
  });

  it('runs a two-step pipeline from a JSON submission (base64) and gives WebP', async () => {
    const small = await sharp(PHOTO).resize(800).jpeg().toBuffer();
    const accepted = await api(server).post('/api/v1/pipelines/web-image/jobs').send({ inputs: { image: { base64: small.toString('base64') } } }).expect(202);
    const job = await finished(server, accepted.body.id);
    expect(job.outputs.image.contentType).toBe('image/webp');
    expect(job.steps.map((s: { status: string }) => s.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('serves the OpenAPI document, Swagger UI, health and metrics', async () => {
    const document = (await api(server).get('/api/docs-json').expect(200)).body;
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/services', '/api/v1/pipelines', '/api/v1/pipelines/{id}/jobs', '/api/v1/jobs/{id}', '/api/v1/jobs/{id}/events', '/api/v1/stats']),
    );
    expect((await api(server).get('/api/docs').expect(200)).text).toContain('swagger');
    expect((await api(server).get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    expect((await api(server).get('/health/ready').expect(200)).body).toMatchObject({ status: 'ready', services: { 'image-processing': 'available' } });
    const metrics = await api(server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/marketplace_jobs_submitted_total\{pipeline="thumbnail"\} \d+/);
    expect((await api(server).get('/api/v1/stats').expect(200)).body.jobs.succeeded).toBeGreaterThan(0);
  });

  describe('bad input: a 4xx JSON error that names the problem, never a 500', () => {
    const submitFile = (data: Buffer, filename = 'upload.jpg', pipeline = 'thumbnail') =>
      api(server).post(`/api/v1/pipelines/${pipeline}/jobs`).attach('image', data, { filename });

    it('bytes that are not an image', async () => {
      const response = await submitFile(Buffer.from('%PDF-1.4 not an image at all'));
      expect(response.status).toBe(422);
      expect(response.body).toEqual({ code: 'INVALID_IMAGE', message: expect.stringContaining('input "image" is not an image') });
    });

    it('an empty upload', async () => {
      const response = await submitFile(Buffer.alloc(0));
      expect(response.status).toBe(422);
      expect(response.body.message).toContain('empty');
    });

    it('an image type the pipeline does not accept', async () => {
      const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } }).gif().toBuffer();
      const response = await submitFile(gif, 'x.jpg');
      expect(response.status).toBe(415);
      expect(response.body).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'input "image" is image/gif, but this pipeline accepts image/jpeg, image/png, image/webp' });
    });

    it('an upload over the size limit', async () => {
      const response = await submitFile(Buffer.alloc(500_000, 1));
      expect(response.status).toBe(413);
      expect(response.body).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('400000 bytes') });
    });

    it('an image over the pixel limit', async () => {
      const huge = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#fff' } }).png().toBuffer();
      const response = await submitFile(huge, 'huge.png');
      expect(response.status).toBe(422);
      expect(response.body).toEqual({ code: 'IMAGE_TOO_LARGE', message: expect.stringContaining('over the limit of 3000000') });
    });

    it('an unknown pipeline, job, output or service', async () => {
      expect((await submitFile(PHOTO, 'a.jpg', 'nope')).body.code).toBe('PIPELINE_NOT_FOUND');
      expect((await api(server).get('/api/v1/jobs/00000000-0000-4000-8000-000000000000').expect(404)).body.code).toBe('JOB_NOT_FOUND');
      expect((await api(server).get('/api/v1/jobs/not-a-uuid').expect(404)).body.code).toBe('JOB_NOT_FOUND');
      expect((await api(server).get('/api/v1/pipelines/nope').expect(404)).body.code).toBe('PIPELINE_NOT_FOUND');
      expect((await api(server).get('/api/v1/services/nope').expect(404)).body.code).toBe('SERVICE_NOT_FOUND');
    });

    it('malformed JSON, an unknown parameter, a missing input, an unknown field', async () => {
      const malformed = await api(server).post('/api/v1/pipelines/thumbnail/jobs').set('Content-Type', 'application/json').send('{"inputs": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('INVALID_JSON');
      const unknownParam = await api(server).post('/api/v1/pipelines/thumbnail/jobs').attach('image', PHOTO, 'a.jpg').field('params', '{"width": 10, "colour": "red"}');
      expect(unknownParam.status).toBe(400);
      expect(unknownParam.body).toEqual({ code: 'INVALID_PARAMETERS', message: 'invalid parameters for pipeline "thumbnail"', problems: [{ path: 'params.colour', message: 'unknown parameter "colour"' }] });
      const badParamsJson = await api(server).post('/api/v1/pipelines/thumbnail/jobs').attach('image', PHOTO, 'a.jpg').field('params', '{width: 10}');
      expect(badParamsJson.body.code).toBe('INVALID_JSON');
      const missing = await api(server).post('/api/v1/pipelines/thumbnail/jobs').send({ inputs: {} });
      expect(missing.status).toBe(400);
      expect(missing.body.code).toBe('INPUT_MISSING');
      const unknownField = await api(server).post('/api/v1/pipelines/thumbnail/jobs').send({ inputs: {}, priority: 1 });
      expect(unknownField.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('priority') });
      const wrongType = await api(server).post('/api/v1/pipelines/thumbnail/jobs').set('Content-Type', 'text/plain').send('hello');
      expect(wrongType.status).toBe(415);
    });

    it('a pipeline definition with a cycle, an unknown service, a type mismatch and bad parameters: 422 listing each', async () => {
      const response = await api(server)
        .post('/api/v1/pipelines')
        .set('X-API-Key', ADMIN_KEY)
        .send({
          id: 'broken',
          name: 'broken',
          inputs: { image: { contentTypes: ['image/gif'] } },
          steps: [
            { id: 'a', service: 'image-processing', task: 'resize', inputs: { image: 'b.image' }, params: { width: -1 } },
            { id: 'b', service: 'image-processing', task: 'blur', inputs: { image: 'a.image' } },
            { id: 'c', service: 'face-magic', task: 'x', inputs: { image: 'inputs.image' } },
            { id: 'd', service: 'image-processing', task: 'greyscale', inputs: { image: 'inputs.image' } },
          ],
          outputs: { image: 'b.image' },
        });
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('PIPELINE_INVALID');
      expect(response.body.problems).toEqual([
        { path: 'steps[0].params.width', message: 'must be >= 1' },
        { path: 'steps[2].service', message: 'unknown service "face-magic"' },
        { path: 'steps[3].inputs.image', message: 'content type mismatch: inputs.image may be image/gif, but greyscale.image accepts image/jpeg, image/png, image/webp' },
        { path: 'steps', message: 'the steps form a cycle: a → b → a' },
      ]);
    });

    it('a missing or wrong API key on pipeline writes (401/403), and a built-in that cannot change', async () => {
      const definition = { id: 'mine', name: 'mine', inputs: { image: { contentTypes: ['image/png'] } }, steps: [{ id: 'g', service: 'image-processing', task: 'greyscale', inputs: { image: 'inputs.image' } }], outputs: { image: 'g.image' } };
      expect((await request(server).post('/api/v1/pipelines').send(definition).expect(401)).body.code).toBe('UNAUTHORIZED');
      expect((await request(server).post('/api/v1/pipelines').set('X-API-Key', 'not-a-known-key').send(definition).expect(401)).body.code).toBe('UNAUTHORIZED');
      expect((await api(server).post('/api/v1/pipelines').send(definition).expect(403)).body.message).toBe('the API key is not an admin key');
      await request(server).post('/api/v1/pipelines').set('Authorization', `Bearer ${ADMIN_KEY}`).send(definition).expect(201);
      expect((await api(server).post('/api/v1/pipelines').set('X-API-Key', ADMIN_KEY).send(definition).expect(409)).body.code).toBe('PIPELINE_EXISTS');
      await api(server).put('/api/v1/pipelines/mine').set('X-API-Key', ADMIN_KEY).send({ ...definition, name: 'renamed' }).expect(200);
      expect((await api(server).get('/api/v1/pipelines/mine').expect(200)).body.definition.name).toBe('renamed');
      expect((await api(server).put('/api/v1/pipelines/thumbnail').set('X-API-Key', ADMIN_KEY).send(definition).expect(409)).body.code).toBe('PIPELINE_READ_ONLY');
      await api(server).delete('/api/v1/pipelines/mine').set('X-API-Key', ADMIN_KEY).expect(204);
      await api(server).get('/api/v1/pipelines/mine').expect(404);
    });
  });
});
