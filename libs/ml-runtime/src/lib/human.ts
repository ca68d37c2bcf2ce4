import type { Config, Human } from '@vladmandic/human';
import { dirname, join } from 'node:path';
import { nodeRequire } from './node-require';
import { registerFileRouter } from './file-model-io';
import { MlRuntimeInfo, wasmFolder, withoutForeignFaultHandlers } from './tensorflow-backend';

export type { Human, Config as HumanConfig, FaceResult } from '@vladmandic/human';

/** The folder of Human's own model files (blazeface, faceres, emotion, ...). */
export function humanModelsFolder(): string {
  return join(dirname(nodeRequire.resolve('@vladmandic/human')), '../models');
}

const OFF = { enabled: false };

/**
 * A Human instance on the process's TensorFlow.js backend, loading only the face models asked for,
 * from local files. Human's `require` entry is its tfjs-node build and its exports map hides the wasm
 * one, so that file is loaded by path. Model options are module-wide in Human: all instances share
 * `modelBasePath` (its own models folder).
 */
export async function createHuman(runtime: MlRuntimeInfo, face: Partial<Config['face']>): Promise<Human> {
  registerFileRouter();
  const { Human } = nodeRequire(join(dirname(nodeRequire.resolve('@vladmandic/human')), 'human.node-wasm.js')) as typeof import('@vladmandic/human');
  const human = new Human({
    backend: runtime.backend === 'tensorflow' ? 'tensorflow' : runtime.backend,
    wasmPath: wasmFolder(),
    wasmPlatformFetch: false,
    modelBasePath: `file://${humanModelsFolder()}/`,
    cacheSensitivity: 0,
    debug: false,
    face: {
      enabled: true,
      detector: { enabled: true, rotation: false, maxDetected: 100, minConfidence: 0.2, return: false },
      mesh: OFF,
      iris: OFF,
      description: OFF,
      emotion: OFF,
      antispoof: OFF,
      liveness: OFF,
      ...face,
    } as Config['face'],
    body: OFF,
    hand: OFF,
    object: OFF,
    gesture: OFF,
    segmentation: OFF,
    filter: OFF,
  } as Partial<Config>);
  // Human may start the wasm module itself; its crash-on-any-rejection handlers must not stay.
  await withoutForeignFaultHandlers(() => human.load());
  return human;
}

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A Human face box `[x, y, w, h]` in input pixels, rounded and clipped to the image. */
export function faceBox(box: [number, number, number, number], width: number, height: number): FaceBox {
  const x = Math.max(0, Math.round(box[0]));
  const y = Math.max(0, Math.round(box[1]));
  return { x, y, width: Math.min(Math.round(width) - x, Math.round(box[2])), height: Math.min(Math.round(height) - y, Math.round(box[3])) };
}
