import { Worker } from 'node:worker_threads';
import { fileModelLoader, tf, wasmFolder } from '@aim/ml-runtime';
import { RACES } from './face-analyzer.descriptor';

export type RaceScores = Record<(typeof RACES)[number], number>;

/** Race from Human's `gear` model, on the face crop Human made (256x256, 0..1). */
export interface RacePredictor {
  predict(face: tf.Tensor): Promise<RaceScores>;
  close(): Promise<void>;
}

export const round = (value: number) => Math.round(value * 1000) / 1000;

function toScores(scores: ArrayLike<number>): RaceScores {
  return Object.fromEntries(RACES.map((race, i) => [race, round(scores[i])])) as RaceScores;
}

/**
 * gear in this thread: for the native backend, which already uses every core. Only its race head is
 * used: its gender was wrong on 4 of 9 faces here, so age and gender come from faceres.
 */
export class InProcessGear implements RacePredictor {
  private constructor(private readonly model: tf.GraphModel) {}

  static async load(modelJsonPath: string): Promise<InProcessGear> {
    return new InProcessGear(await tf.loadGraphModel(fileModelLoader(modelJsonPath)));
  }

  async predict(face: tf.Tensor): Promise<RaceScores> {
    return toScores(
      tf.tidy(() => {
        const batch = (face.rank === 3 ? face.expandDims(0) : face) as tf.Tensor4D;
        const [height, width] = this.model.inputs[0].shape!.slice(1, 3);
        // The crop Human's own gear code uses: a little off the left, right and bottom.
        const input = tf.image.cropAndResize(batch, [[0, 0.1, 0.9, 0.9]], [0], [height, width]);
        return (this.model.execute(input, 'Identity_2') as tf.Tensor).dataSync();
      }),
    );
  }

  async close(): Promise<void> {
    this.model.dispose();
  }
}

interface WorkerAnswer {
  id?: number;
  scores?: number[];
  error?: string;
  ready?: boolean;
  failed?: string;
}

/**
 * gear on a worker thread with its own WebAssembly TensorFlow.js: wasm runs one thread per instance, so
 * this is how race is worked out on the second core while faceres and emotion run on the first.
 */
export class WorkerGear implements RacePredictor {
  private readonly pending = new Map<number, { resolve: (scores: RaceScores) => void; reject: (error: Error) => void }>();
  private next = 0;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (answer: WorkerAnswer) => {
      const waiter = answer.id === undefined ? undefined : this.pending.get(answer.id);
      if (!waiter) return;
      this.pending.delete(answer.id!);
      if (this.pending.size === 0) worker.unref();
      if (answer.scores) waiter.resolve(toScores(answer.scores));
      else waiter.reject(new Error(`gear failed: ${answer.error}`));
    });
    worker.on('error', (error) => this.pending.forEach((waiter) => waiter.reject(error)));
    // Idle, the thread does not keep the process alive; with work pending, it does.
    worker.unref();
  }

  static start(workerPath: string, modelJsonPath: string): Promise<WorkerGear> {
    const worker = new Worker(workerPath, { workerData: { backend: 'wasm', wasmPath: wasmFolder(), modelPath: modelJsonPath } });
    return new Promise((resolve, reject) => {
      const onMessage = (answer: WorkerAnswer) => {
        if (answer.ready) {
          worker.off('message', onMessage);
          resolve(new WorkerGear(worker));
        } else if (answer.failed) {
          void worker.terminate();
          reject(new Error(`the gear worker could not start: ${answer.failed}`));
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  }

  /** Copies the crop out now (the caller may dispose it at once) and answers when the worker has. */
  predict(face: tf.Tensor): Promise<RaceScores> {
    const data = face.dataSync() as Float32Array;
    const copy = new Float32Array(data);
    const shape = face.rank === 4 ? face.shape.slice(1) : face.shape;
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, face: copy, shape }, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
