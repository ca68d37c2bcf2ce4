import * as tf from '@tensorflow/tfjs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Loads `model.json` and its weight files from a local folder: models never come from a network.
 * `adapt` may change the model's description before it is built (an input opened to any size).
 */
export function fileModelLoader(modelJsonPath: string, adapt?: (modelJson: tf.io.ModelJSON) => void): tf.io.IOHandler {
  return {
    load: async () => {
      const modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      adapt?.(modelJson);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const buffers = await Promise.all(
          manifest.flatMap((group) => group.paths).map((path) => readFile(join(dirname(modelJsonPath), path))),
        );
        const weightData = Buffer.concat(buffers);
        const specs = manifest.flatMap((group) => group.weights);
        return [specs, weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength)];
      });
    },
  };
}

let fileRouterRegistered = false;

/** Makes `file://…/model.json` URLs load from disk (what libraries such as Human ask tfjs for). Once per process. */
export function registerFileRouter(): void {
  if (fileRouterRegistered) return;
  fileRouterRegistered = true;
  tf.io.registerLoadRouter((url) => {
    const text = Array.isArray(url) ? url[0] : url;
    // A router answers null for URLs it does not serve; the type says IOHandler only.
    return (typeof text === 'string' && text.startsWith('file://') ? fileModelLoader(text.slice('file://'.length)) : null) as tf.io.IOHandler;
  });
}

/** Writes a model as `model.json` + `weights.bin` into a folder. */
export function fileModelSaver(folder: string): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (artifacts) => {
    await mkdir(folder, { recursive: true });
    const weightData = Buffer.from(artifacts.weightData as ArrayBuffer);
    const modelJson = {
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    };
    await writeFile(join(folder, 'model.json'), JSON.stringify(modelJson));
    await writeFile(join(folder, 'weights.bin'), weightData);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.length } };
  });
}
