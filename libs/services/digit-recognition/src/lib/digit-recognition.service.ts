import { Inject, Injectable } from '@nestjs/common';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Artifact, BinaryArtifact, ErrorCode, MarketplaceError } from '@aim/contracts';
import { fileModelLoader, initTensorflow, MlBackendChoice, MlRuntimeInfo, tf } from '@aim/ml-runtime';
import { readImageHeader, TaskCall, TaskHandler, TaskService } from '@aim/service-kit';
import { DIGIT_RECOGNITION_DESCRIPTOR } from './digit-recognition.descriptor';
import { DIGIT_RECOGNITION_OPTIONS } from './digit-recognition.constants';
import { toMnist } from './mnist-preprocess';

export interface DigitRecognitionOptions {
  maxInputPixels: number;
  mlBackend: MlBackendChoice;
  /** Folder with one `member-*` folder (model.json + weights.bin) per ensemble member. */
  modelDir: string;
}

export interface DigitReading {
  found: boolean;
  digit: number | null;
  confidence: number;
  probabilities: number[];
}

@Injectable()
export class DigitRecognitionService extends TaskService {
  readonly descriptor = DIGIT_RECOGNITION_DESCRIPTOR;
  override readonly maxConcurrency = 1;
  readonly handlers: Record<string, TaskHandler> = { read: (call) => this.readTask(call) };
  private members: tf.LayersModel[] = [];
  private info?: MlRuntimeInfo;

  constructor(@Inject(DIGIT_RECOGNITION_OPTIONS) private readonly options: DigitRecognitionOptions) {
    super();
  }

  override async ready(): Promise<void> {
    this.info = await initTensorflow(this.options.mlBackend);
    const folders = (await readdir(this.options.modelDir)).filter((name) => name.startsWith('member-')).sort();
    if (!folders.length) throw new Error(`no digit model in ${this.options.modelDir}: run npm run train:digits`);
    this.members = await Promise.all(folders.map((folder) => tf.loadLayersModel(fileModelLoader(join(this.options.modelDir, folder, 'model.json')))));
    for (let i = 0; i < 3; i++) this.predict(new Float32Array(784));
  }

  override runtime(): Record<string, string> | undefined {
    return this.info && { mlBackend: this.info.backend, simd: String(this.info.simd), model: `MNIST CNN, ensemble of ${this.members.length}` };
  }

  /** Ten probabilities for one 28×28 MNIST-like digit: the mean of the ensemble members'. */
  predict(pixels: Float32Array): number[] {
    return Array.from(
      tf.tidy(() => {
        const input = tf.tensor4d(pixels, [1, 28, 28, 1]);
        return tf.addN(this.members.map((member) => member.predict(input) as tf.Tensor)).div(this.members.length).dataSync();
      }),
    );
  }

  async read(data: Uint8Array): Promise<DigitReading> {
    const header = await readImageHeader(data, this.options.maxInputPixels);
    let mnist;
    try {
      mnist = await toMnist(data, header, this.options.maxInputPixels);
    } catch (error) {
      throw new MarketplaceError(ErrorCode.InvalidImage, `the image could not be decoded: ${(error as Error).message}`);
    }
    if (!mnist.inkFound) return { found: false, digit: null, confidence: 0, probabilities: [] };
    const probabilities = this.predict(mnist.pixels).map((p) => Math.round(p * 10000) / 10000);
    const digit = probabilities.indexOf(Math.max(...probabilities));
    return { found: true, digit, confidence: probabilities[digit], probabilities };
  }

  private async readTask({ inputs }: TaskCall): Promise<Record<string, Artifact>> {
    return { digit: { contentType: 'application/json', value: await this.read((inputs['image'] as BinaryArtifact).data) } };
  }
}
