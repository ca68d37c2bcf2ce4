// Runs the gear model (race) on its own thread, so that it works on the second core while Human's
// faceres and emotion run on the first. Plain CommonJS: loaded by path from tests and from the bundle.
const { parentPort, workerData } = require('node:worker_threads');
const { readFile } = require('node:fs/promises');
const { dirname, join } = require('node:path');
const tf = require('@tensorflow/tfjs');

async function loadModel(modelJsonPath) {
  const modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8'));
  return tf.loadGraphModel({
    load: () =>
      tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const parts = await Promise.all(manifest.flatMap((group) => group.paths).map((path) => readFile(join(dirname(modelJsonPath), path))));
        const weights = Buffer.concat(parts);
        return [manifest.flatMap((group) => group.weights), weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength)];
      }),
  });
}

async function main() {
  if (workerData.backend === 'wasm') {
    require('@tensorflow/tfjs-backend-wasm').setWasmPaths(workerData.wasmPath);
  }
  await tf.setBackend(workerData.backend === 'wasm' ? 'wasm' : 'cpu');
  await tf.ready();
  // The wasm module installs handlers that rethrow any stray rejection; this thread reports errors itself.
  process.removeAllListeners('unhandledRejection');
  process.removeAllListeners('uncaughtException');
  const model = await loadModel(workerData.modelPath);
  const [height, width] = model.inputs[0].shape.slice(1, 3);
  const predict = (face, shape) =>
    tf.tidy(() => {
      const batch = tf.tensor(face, [1, ...shape]);
      // The crop Human's own gear code uses: a little off the left, right and bottom.
      const input = tf.image.cropAndResize(batch, [[0, 0.1, 0.9, 0.9]], [0], [height, width]);
      return Array.from(model.execute(input, 'Identity_2').dataSync());
    });
  predict(new Float32Array(256 * 256 * 3), [256, 256, 3]);
  parentPort.on('message', ({ id, face, shape }) => {
    try {
      parentPort.postMessage({ id, scores: predict(face, shape) });
    } catch (error) {
      parentPort.postMessage({ id, error: error.message });
    }
  });
  parentPort.postMessage({ ready: true });
}

main().catch((error) => parentPort.postMessage({ failed: error.message }));
