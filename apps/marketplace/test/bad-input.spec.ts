import sharp from 'sharp';
import { ADMIN_KEY, api, MarketplaceHarness, startMarketplace } from './support/marketplace.harness';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

/** Inputs that once answered 500 (or hung): each must be a 4xx with a stable code, and change nothing. */
describe('careless and hostile input', () => {
  let marketplace: MarketplaceHarness;
  let server: ReturnType<MarketplaceHarness['app']['getHttpServer']>;
  let png: Buffer;

  beforeAll(async () => {
    marketplace = await startMarketplace();
    server = marketplace.app.getHttpServer();
    png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#468' } }).png().toBuffer();
  });
  afterAll(() => marketplace.close());

  it('refuses parameters and values nested 2,000 levels deep', async () => {
    const json = await api(server)
      .post('/api/v1/pipelines/thumbnail/jobs')
      .send({ inputs: { image: { base64: png.toString('base64') } }, params: nested(2000) })
      .expect(400);
    expect(json.body).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ path: 'params' }] });
    const multipart = await api(server).post('/api/v1/pipelines/thumbnail/jobs').attach('image', png, 'a.png').field('params', JSON.stringify(nested(2000))).expect(400);
    expect(multipart.body.code).toBe('VALIDATION_FAILED');
    const definition = await api(server).post('/api/v1/pipelines/validate').send({ id: 'deep', name: 'deep', inputs: {}, steps: [], outputs: {}, params: nested(2000) }).expect(200);
    expect(definition.body).toMatchObject({ valid: false, problems: [{ path: '$', message: expect.stringContaining('deeper than 32 levels') }] });
  });

  it('refuses names every object answers by inheritance, in definitions and in requests', async () => {
    const definition = {
      id: 'reserved',
      name: 'reserved names',
      inputs: { hasOwnProperty: { contentTypes: ['image/png'] }, image: { contentTypes: ['image/png'] } },
      steps: [{ id: 'toString', service: 'image-processing', task: 'greyscale', inputs: { image: 'inputs.image' } }],
      outputs: { constructor: 'toString.image' },
    };
    const checked = await api(server).post('/api/v1/pipelines/validate').send(definition).expect(200);
    expect(checked.body.problems.map((p: { path: string }) => p.path).sort()).toEqual(['inputs.hasOwnProperty', 'outputs.constructor', 'steps[0].id']);
    expect(checked.body.problems[0].message).toMatch(/is a reserved name; choose another/);
    await api(server).post('/api/v1/pipelines').set('x-api-key', ADMIN_KEY).send(definition).expect(422);
    const proto = JSON.stringify({ ...definition, inputs: { image: definition.inputs.image } }).replace('"image":{', '"__proto__":{"contentTypes":["image/png"]},"image":{');
    const protoChecked = await api(server).post('/api/v1/pipelines/validate').set('content-type', 'application/json').send(proto).expect(200);
    expect(protoChecked.body.valid).toBe(false);

    const job = await api(server).post('/api/v1/pipelines/thumbnail/jobs').attach('image', png, 'a.png').expect(202);
    for (const path of ['outputs/constructor', 'outputs/__proto__', 'inputs/toString', 'inputs/hasOwnProperty']) {
      const response = await api(server).get(`/api/v1/jobs/${job.body.id}/${path}`);
      expect([404, 409]).toContain(response.status);
      expect(response.body.code).toMatch(/NOT_FOUND|NOT_FINISHED/);
    }
    const protoInput = await api(server)
      .post('/api/v1/pipelines/thumbnail/jobs')
      .set('content-type', 'application/json')
      .send(`{"inputs":{"image":{"base64":"${png.toString('base64')}"},"__proto__":{"value":1}}}`)
      .expect(400);
    expect(protoInput.body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses paging past any real page, and an item index past any real list', async () => {
    for (const query of ['offset=1e19', 'offset=-1', 'limit=1e3', 'offset=abc']) {
      const response = await api(server).get(`/api/v1/jobs?${query}`).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    await api(server).get('/api/v1/jobs/7b0e4a5e-8e59-4a38-9d9c-1f8d6a1b2c3d/outputs/image?index=1e19').expect(400);
  });

  it('refuses a field sent twice instead of joining the values', async () => {
    const response = await api(server)
      .post('/api/v1/pipelines/thumbnail/jobs')
      .attach('image', png, 'a.png')
      .field('webhookUrl', 'https://93.184.215.14/a')
      .field('webhookUrl', 'https://93.184.215.14/b')
      .expect(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('"webhookUrl" was sent twice') });
    await api(server).post('/api/v1/pipelines/thumbnail/jobs').attach('image', png, 'a.png').attach('image', png, 'b.png').expect(400);
  });

  it('ends an event stream resumed after the last event of a finished job, instead of hanging', async () => {
    const accepted = await api(server).post('/api/v1/pipelines/thumbnail/jobs').attach('image', png, 'a.png').expect(202);
    let job = accepted.body;
    for (let i = 0; i < 200 && !['succeeded', 'failed'].includes(job.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      job = (await api(server).get(`/api/v1/jobs/${job.id}`)).body;
    }
    expect(job.status).toBe('succeeded');
    const all = await api(server).get(`/api/v1/jobs/${job.id}/events`).timeout(5000).expect(200);
    const ids = [...all.text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
    const last = Math.max(...ids);
    const resumed = await api(server).get(`/api/v1/jobs/${job.id}/events`).set('Last-Event-ID', String(last)).timeout(5000).expect(200);
    expect(resumed.text).not.toMatch(/^id:/m);
    const fromMiddle = await api(server).get(`/api/v1/jobs/${job.id}/events`).set('Last-Event-ID', String(last - 1)).timeout(5000).expect(200);
    expect([...fromMiddle.text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]))).toEqual([last]);
  });
});
