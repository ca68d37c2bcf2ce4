import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { NatsServer } from '@aim/test-support';
import { EngineClient, SplitDeployment, startOneProcess, testFile } from './support/split-deployment';

jest.setTimeout(180_000);

/** Every built-in pipeline with an input it is made for. */
const CASES: { pipeline: string; file: string; params?: Record<string, unknown> }[] = [
  { pipeline: 'thumbnail', file: 'faces/sample1.jpg', params: { width: 200 } },
  { pipeline: 'web-image', file: 'faces/sample2.jpg' },
  { pipeline: 'anonymise-faces', file: 'faces/sample1.jpg' },
  { pipeline: 'analyse-faces', file: 'faces/sample3.jpg' },
  { pipeline: 'read-digit', file: 'digits/digit-7-07.jpg' },
];

async function resultOf(client: EngineClient, pipeline: string, image: Uint8Array, filename: string, params?: Record<string, unknown>) {
  const answer = await client.run(pipeline, image, filename, params);
  expect([pipeline, answer.status, answer.body.status, answer.body.error]).toEqual([pipeline, 200, 'succeeded', undefined]);
  return client.outputs(answer.body);
}

describe('the split shape: the engine and every service as processes of their own', () => {
  let oneProcess: Awaited<ReturnType<typeof startOneProcess>>;
  let nats: NatsServer;
  /** A 2580x2580 noise PNG stored without compression: about 20 MB, just under the 20 MiB upload limit. */
  let large: Buffer;

  beforeAll(async () => {
    large = await sharp({ create: { width: 2580, height: 2580, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    [oneProcess, nats] = await Promise.all([startOneProcess(), NatsServer.start()]);
  });
  afterAll(async () => {
    await oneProcess?.stop();
    await nats?.dispose();
  });

  describe.each([
    ['NATS (a nats-server of the test, 1 MB max_payload)', 'nats'],
    ['TCP', 'tcp'],
  ] as const)('over %s', (_label, kind) => {
    let split: SplitDeployment;
    beforeAll(async () => {
      split = await SplitDeployment.start(kind === 'nats' ? { kind, url: nats.url } : { kind });
    });
    afterAll(() => split?.stop());

    it.each(CASES)('$pipeline gives the very result of the one-process marketplace', async ({ pipeline, file, params }) => {
      const image = readFileSync(testFile(file));
      const [alone, together] = await Promise.all([resultOf(split.client, pipeline, image, file, params), resultOf(oneProcess.client, pipeline, image, file, params)]);
      expect(alone).toEqual(together);
      expect(Object.keys(alone).length).toBeGreaterThan(0);
    });

    it('carries a 20 MB image through (far beyond a broker message) to the same thumbnail', async () => {
      expect(large.length).toBeGreaterThan(19_900_000);
      expect(large.length).toBeLessThan(20 * 1024 * 1024);
      const alone = await resultOf(split.client, 'thumbnail', large, 'large.png', { width: 256 });
      const together = await resultOf(oneProcess.client, 'thumbnail', large, 'large.png', { width: 256 });
      expect(alone).toEqual(together);
    });

    it('shows each service with the instance that runs in its own process, and whose step ran where', async () => {
      const services = await split.client.services();
      for (const name of ['image-processing', 'face-detection', 'face-analyzer', 'digit-recognition']) {
        expect(services.find((s) => s.name === name)).toMatchObject({ status: 'available', instances: [expect.objectContaining({ available: true })] });
      }
      const answer = await split.client.run('thumbnail', readFileSync(testFile('faces/sample2.jpg')), 'sample2.jpg');
      const instance = services.find((s) => s.name === 'image-processing')?.instances[0].id;
      expect(answer.body.steps[0].instanceId).toBe(instance);
      expect(instance).toMatch(/^image-processing-/);
    });
  });
});
