// Runs BlazeFace on its own thread with its own WebAssembly TensorFlow.js. wasm computes inside one
// synchronous call: a 1920x1080 photo would hold the service's event loop (HTTP, heartbeats, in one
// process the whole marketplace) for half a second. Plain CommonJS: loaded by path from tests and from
// the bundle. The detection logic (levels, decoding) stays in the service; this thread only executes
// the model on the inputs it is sent.
const { parentPort, workerData } = require('node:worker_threads');
const { readFile } = require('node:fs/promises');
const { dirname, join } = require('node:path');
const tf = require('@tensorflow/tfjs');

/** The model's fixed 128×128 input opened to any size, as `loadOpenModel` in blazeface-model.ts does. */
async function loadOpenModel(modelJsonPath) {
  const modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8'));
  for (const node of modelJson.modelTopology.node) {
    if (node.op === 'Placeholder') node.attr.shape.shape.dim = node.attr.shape.shape.dim.map((dim, i) => (i === 3 ? dim : { size: '-1' }));
  }
  for (const input of Object.values(modelJson.signature?.inputs ?? {})) delete input.tensorShape;
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
  require('@tensorflow/tfjs-backend-wasm').setWasmPaths(workerData.wasmPath);
  await tf.setBackend('wasm');
  await tf.ready();
  // The wasm module installs handlers that rethrow any stray rejection; this thread reports errors itself.
  process.removeAllListeners('unhandledRejection');
  process.removeAllListeners('uncaughtException');
  const model = await loadOpenModel(workerData.modelPath);
  const execute = async (input, shape) => {
    const batch = tf.tensor4d(input, shape);
    let output;
    try {
      output = model.execute(batch);
      return await (Array.isArray(output) ? output[0] : output).data();
    } finally {
      tf.dispose([batch, output]);
    }
  };
  parentPort.on('message', ({ id, input, shape, tensors }) => {
    if (tensors) return parentPort.postMessage({ id, tensors: tf.memory().numTensors });
    execute(input, shape).then(
      (rows) => parentPort.postMessage({ id, rows }, [rows.buffer]),
      (error) => parentPort.postMessage({ id, error: error.message }),
    );
  });
  parentPort.postMessage({ ready: true });
}

main().catch((error) => parentPort.postMessage({ failed: error.message }));
