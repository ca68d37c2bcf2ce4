import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileModelLoader, fileModelSaver, registerFileRouter } from './file-model-io';
import { initTensorflow, tf } from './tensorflow-backend';

describe('ml-runtime', () => {
  const folder = mkdtempSync(join(tmpdir(), 'aim-model-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('refuses a forced native backend that cannot load, naming why, then falls back in auto mode to WebAssembly with SIMD', async () => {
    await expect(initTensorflow('node')).rejects.toThrow(/ML_BACKEND=node but @tensorflow\/tfjs-node could not be loaded/);
    const faultHandlers = () => [...process.listeners('unhandledRejection'), ...process.listeners('uncaughtException')];
    const before = faultHandlers();
    const runtime = await initTensorflow('auto');
    // The wasm module's handlers rethrow any stray rejection and would end the process: none may stay.
    expect(faultHandlers()).toEqual(before);
    expect(runtime).toMatchObject({ backend: 'wasm', simd: true, tfjsVersion: '4.22.0' });
    expect(runtime.fallbackReason).toContain('@tensorflow/tfjs-node');
    expect(tf.getBackend()).toBe('wasm');
    await expect(initTensorflow('cpu')).rejects.toThrow(/already runs on wasm/);
  });

  it('saves a model to files and loads it back, from a path or a file:// URL, with the same answers', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'softmax' })] });
    await model.save(fileModelSaver(join(folder, 'tiny')));
    registerFileRouter();
    registerFileRouter(); // twice is harmless
    const fromPath = await tf.loadLayersModel(fileModelLoader(join(folder, 'tiny', 'model.json')));
    const fromUrl = await tf.loadLayersModel(`file://${join(folder, 'tiny', 'model.json')}`);
    const input = tf.tensor2d([[0.1, 0.5, -2]]);
    const expected = Array.from((model.predict(input) as tf.Tensor).dataSync());
    for (const loaded of [fromPath, fromUrl]) {
      Array.from((loaded.predict(input) as tf.Tensor).dataSync()).forEach((value, i) => expect(value).toBeCloseTo(expected[i], 6));
    }
  });
});
