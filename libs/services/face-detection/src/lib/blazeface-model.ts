import { Worker } from 'node:worker_threads';
import { fileModelLoader, tf, wasmFolder } from '@aim/ml-runtime';

export type BatchShape = [images: number, height: number, width: number, channels: 3];

/** BlazeFace on a batch of NHWC inputs normalised to -1..1, answering the rows of its first output. */
export interface BlazeFaceRunner {
  execute(input: Float32Array, shape: BatchShape): Promise<Float32Array>;
  /** How many tensors the model's TensorFlow.js holds: flat from call to call, or something leaks. */
  tensors(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The model with its fixed 128×128 input opened to any size: all its layers are convolutions, so a
 * larger input gives the same answers on a larger grid. blazeface.worker.js does the same.
 */
async function loadOpenModel(modelJsonPath: string): Promise<tf.GraphModel> {
  type Placeholder = { op: string; attr: { shape: { shape: { dim: { size: string }[] } } } };
  return tf.loadGraphModel(
    fileModelLoader(modelJsonPath, (json) => {
      for (const node of (json.modelTopology as { node: Placeholder[] }).node) {
        if (node.op === 'Placeholder')
          node.attr.shape.shape.dim = node.attr.shape.shape.dim.map((dim, i) => (i === 3 ? dim : { size: '-1' }));
      }
      const { signature } = json as { signature?: { inputs?: Record<string, { tensorShape?: unknown }> } };
      for (const input of Object.values(signature?.inputs ?? {})) delete input.tensorShape;
    }),
  );
}

/** The model on this thread: for the native backend, whose kernels run on threads of their own. */
export class InProcessBlazeFace implements BlazeFaceRunner {
  private constructor(private readonly model: tf.GraphModel) {}

  static async load(modelJsonPath: string): Promise<InProcessBlazeFace> {
    return new InProcessBlazeFace(await loadOpenModel(modelJsonPath));
  }

  async execute(input: Float32Array, shape: BatchShape): Promise<Float32Array> {
    const batch = tf.tensor4d(input, shape);
    let output: tf.Tensor | tf.Tensor[] | undefined;
    try {
      output = this.model.execute(batch);
      return (await (Array.isArray(output) ? output[0] : output).data()) as Float32Array;
    } finally {
      tf.dispose([batch, ...(Array.isArray(output) ? output : output ? [output] : [])]);
    }
  }

  async tensors(): Promise<number> {
    return tf.memory().numTensors;
  }

  async close(): Promise<void> {
    this.model.dispose();
  }
}

interface WorkerAnswer {
  id?: number;
  rows?: Float32Array;
  tensors?: number;
  error?: string;
  ready?: boolean;
  failed?: string;
}

/**
 * The model on a worker thread with its own WebAssembly TensorFlow.js, for the wasm backend: wasm
 * computes a whole model call synchronously, which on this thread would hold the event loop. A worker
 * that dies fails what it had been given and is started again for the next call.
 *
 * Two such workers splitting a photo were tried: they took as long as one, the model being bound by
 * memory bandwidth here, not by the core; one is kept.
 */
export class WorkerBlazeFace implements BlazeFaceRunner {
  private readonly pending = new Map<
    number,
    { resolve: (answer: WorkerAnswer) => void; reject: (error: Error) => void }
  >();
  private next = 0;
  /** The thread, from the moment it is made; `worker` resolves to it once it is ready. */
  private thread?: Worker;
  private worker?: Promise<Worker>;

  constructor(
    private readonly workerPath: string,
    private readonly modelPath: string,
  ) {}

  start(): Promise<Worker> {
    this.worker ??= new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(this.workerPath, {
        workerData: { wasmPath: wasmFolder(), modelPath: this.modelPath },
      });
      this.thread = worker;
      const onStart = (answer: WorkerAnswer) => {
        if (answer.ready) {
          worker.off('message', onStart);
          worker.on('message', (message: WorkerAnswer) => this.answer(message));
          worker.unref(); // idle, the thread does not keep the process alive
          resolve(worker);
        } else if (answer.failed) {
          void worker.terminate();
          reject(new Error(`the BlazeFace worker could not start: ${answer.failed}`));
        }
      };
      worker.on('message', onStart);
      worker.on('error', (error) => this.fail(worker, error, reject));
      worker.on('exit', (code) =>
        this.fail(worker, new Error(`the BlazeFace worker stopped (exit code ${code})`), reject),
      );
    });
    return this.worker;
  }

  async execute(input: Float32Array, shape: BatchShape): Promise<Float32Array> {
    const { rows } = await this.ask({ input, shape }, [input.buffer as ArrayBuffer]);
    return rows ?? new Float32Array(0);
  }

  async tensors(): Promise<number> {
    return (await this.ask({ tensors: true })).tensors ?? 0;
  }

  private async ask(message: object, transfer: ArrayBuffer[] = []): Promise<WorkerAnswer> {
    const worker = await this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...message }, transfer);
    });
  }

  async close(): Promise<void> {
    const thread = this.thread;
    [this.thread, this.worker] = [undefined, undefined];
    await thread?.terminate();
  }

  private answer(answer: WorkerAnswer): void {
    const waiter = answer.id === undefined ? undefined : this.pending.get(answer.id);
    if (!waiter || answer.id === undefined) return;
    this.pending.delete(answer.id);
    if (this.pending.size === 0) this.thread?.unref();
    if (answer.error === undefined) waiter.resolve(answer);
    else waiter.reject(new Error(`BlazeFace failed: ${answer.error}`));
  }

  /** The worker is gone: what it had is failed, and the next call starts another. */
  private fail(worker: Worker, error: Error, rejectStart: (error: Error) => void): void {
    rejectStart(error); // no effect once started
    if (this.thread !== worker) return; // an earlier thread, already replaced or closed
    [this.thread, this.worker] = [undefined, undefined];
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
