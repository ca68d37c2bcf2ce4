import * as tf from '@tensorflow/tfjs';
import { dirname } from 'node:path';
import { nodeRequire } from './node-require';

export type MlBackendChoice = 'auto' | 'node' | 'wasm' | 'cpu';
/** tfjs names: `tensorflow` is the native backend of @tensorflow/tfjs-node. */
export type MlBackend = 'tensorflow' | 'wasm' | 'cpu';

export interface MlRuntimeInfo {
  backend: MlBackend;
  simd: boolean;
  tfjsVersion: string;
  /** Why a faster backend was not used, when it was not. */
  fallbackReason?: string;
}

let initialised: Promise<MlRuntimeInfo> | undefined;
let initialisedWith: MlBackendChoice | undefined;

function tryNative(): string | undefined {
  try {
    // Optional accelerator: installed in the Docker images, not here (its install downloads libtensorflow).
    nodeRequire('@tensorflow/tfjs-node');
    return undefined;
  } catch (error) {
    return `@tensorflow/tfjs-node could not be loaded (${(error as Error).message.split('\n')[0]})`;
  }
}

export function wasmFolder(): string {
  return `${dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'))}/`;
}

type FaultEvent = 'unhandledRejection' | 'uncaughtException';
const PROCESS_FAULT_EVENTS: FaultEvent[] = ['unhandledRejection', 'uncaughtException'];
const faultListeners = (event: FaultEvent) => process.listeners(event as 'unhandledRejection') as unknown[];

/**
 * Runs `init` and takes back the process-wide fault handlers it installed. The wasm backend's Emscripten
 * module adds `process.on('unhandledRejection', e => { throw e })` (and the same for uncaught exceptions),
 * which turns any stray rejection anywhere in the process into a crash; the app decides what a fault does.
 */
export async function withoutForeignFaultHandlers<T>(init: () => Promise<T>): Promise<T> {
  const before = new Map(PROCESS_FAULT_EVENTS.map((event) => [event, new Set(faultListeners(event))]));
  try {
    return await init();
  } finally {
    for (const event of PROCESS_FAULT_EVENTS) {
      for (const listener of faultListeners(event)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
}

async function tryWasm(): Promise<string | undefined> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmFolder());
    return (await withoutForeignFaultHandlers(() => tf.setBackend('wasm'))) ? undefined : 'the wasm backend did not initialise';
  } catch (error) {
    return `the wasm backend failed: ${(error as Error).message}`;
  }
}

async function select(choice: MlBackendChoice): Promise<MlRuntimeInfo> {
  const reasons: string[] = [];
  if (choice === 'auto' || choice === 'node') {
    const failure = tryNative();
    if (!failure && (await tf.setBackend('tensorflow'))) return info('tensorflow');
    if (choice === 'node') throw new Error(`ML_BACKEND=node but ${failure ?? 'the tensorflow backend did not initialise'}`);
    reasons.push(failure ?? 'the tensorflow backend did not initialise');
  }
  if (choice === 'auto' || choice === 'wasm') {
    const failure = await tryWasm();
    if (!failure) return info('wasm', reasons);
    if (choice === 'wasm') throw new Error(`ML_BACKEND=wasm but ${failure}`);
    reasons.push(failure);
  }
  await tf.setBackend('cpu');
  return info('cpu', reasons);
}

function info(backend: MlBackend, reasons: string[] = []): MlRuntimeInfo {
  return {
    backend,
    simd: backend === 'wasm' && tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    tfjsVersion: tf.version.tfjs,
    fallbackReason: reasons.length ? reasons.join('; ') : undefined,
  };
}

/**
 * Chooses the TensorFlow.js backend once per process: the native one when it loads, else WebAssembly
 * (SIMD), else plain JavaScript. Every model in the process shares it.
 */
export function initTensorflow(choice: MlBackendChoice = 'auto'): Promise<MlRuntimeInfo> {
  if (initialised && initialisedWith !== choice) {
    return initialised.then((current) => {
      if (choice !== 'auto') throw new Error(`TensorFlow.js already runs on ${current.backend}; ML_BACKEND=${choice} comes too late`);
      return current;
    });
  }
  initialisedWith = choice;
  initialised ??= select(choice).then(
    async (result) => {
      await tf.ready();
      return result;
    },
    (error) => {
      initialised = undefined; // a forced backend that failed leaves the choice open
      throw error;
    },
  );
  return initialised;
}

export { tf };
