import { Inject, Injectable } from '@nestjs/common';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Artifact, BinaryArtifact, ErrorCode, MarketplaceError } from '@aim/contracts';
import { fileModelLoader, initTensorflow, MlBackendChoice, MlRuntimeInfo, tf } from '@aim/ml-runtime';
import { readImageHeader, TaskCall, TaskHandler, TaskService } from '@aim/service-kit';
import { DIGIT_RECOGNITION_DESCRIPTOR } from './digit-recognition.descriptor';
import { DIGIT_RECOGNITION_OPTIONS } from './digit-recognition.constants';
import { DigitCalibration, parseCalibration, UNCALIBRATED, withTemperature } from './digit-calibration';
import { toMnist } from './mnist-preprocess';

export interface DigitRecognitionOptions {
  maxInputPixels: number;
  mlBackend: MlBackendChoice;
  /** Folder with one `member-*` folder (model.json + weights.bin) per ensemble member, and `calibration.json`. */
  modelDir: string;
}

export interface DigitReading {
  found: boolean;
  digit: number | null;
  confidence: number;
  probabilities: number[];
  /** Whether the reading is sure enough to be taken as it is (calibrated: such readings were right 99.8% of the time). */
  certain: boolean;
}

@Injectable()
export class DigitRecognitionService extends TaskService {
  readonly descriptor = DIGIT_RECOGNITION_DESCRIPTOR;
  override readonly maxConcurrency = 1;
  readonly handlers: Record<string, TaskHandler> = { read: (call) => this.readTask(call) };
  private members: tf.LayersModel[] = [];
  private calibration: DigitCalibration = UNCALIBRATED;
  private info?: MlRuntimeInfo;

  constructor(@Inject(DIGIT_RECOGNITION_OPTIONS) private readonly options: DigitRecognitionOptions) {
    super();
  }

  override async ready(): Promise<void> {
    this.info = await initTensorflow(this.options.mlBackend);
    const folders = (await readdir(this.options.modelDir)).filter((name) => name.startsWith('member-')).sort();
    if (!folders.length) throw new Error(`no digit model in ${this.options.modelDir}: run npm run train:digits`);
    this.members = await Promise.all(folders.map((folder) => tf.loadLayersModel(fileModelLoader(join(this.options.modelDir, folder, 'model.json')))));
    this.calibration = parseCalibration(await readFile(join(this.options.modelDir, 'calibration.json'), 'utf8'));
    for (let i = 0; i < 3; i++) this.predict(new Float32Array(784));
  }

  override runtime(): Record<string, string> | undefined {
    return this.info && { mlBackend: this.info.backend, simd: String(this.info.simd), model: `digit CNN (MNIST and fonts), ensemble of ${this.members.length}, temperature ${this.calibration.temperature}` };
  }

  /** Ten probabilities for one 28×28 MNIST-like digit: the mean of the ensemble members', calibrated. */
  predict(pixels: Float32Array): number[] {
    const mean = Array.from(
      tf.tidy(() => {
        const input = tf.tensor4d(pixels, [1, 28, 28, 1]);
        return tf.addN(this.members.map((member) => member.predict(input) as tf.Tensor)).div(this.members.length).dataSync();
      }),
    );
    return withTemperature(mean, this.calibration.temperature);
  }

  async read(data: Uint8Array): Promise<DigitReading> {
    const header = await readImageHeader(data, this.options.maxInputPixels);
    let mnist;
    try {
      mnist = await toMnist(data, header, this.options.maxInputPixels);
    } catch (error) {
      throw new MarketplaceError(ErrorCode.InvalidImage, `the image could not be decoded: ${(error as Error).message}`);
    }
    if (!mnist.inkFound) return { found: false, digit: null, confidence: 0, probabilities: [], certain: false };
    const probabilities = this.predict(mnist.pixels).map((p) => Math.round(p * 10000) / 10000);
    const digit = probabilities.indexOf(Math.max(...probabilities));
    return { found: true, digit, confidence: probabilities[digit], probabilities, certain: probabilities[digit] >= this.calibration.certainAbove };
  }

  private async readTask({ inputs }: TaskCall): Promise<Record<string, Artifact>> {
    return { digit: { contentType: 'application/json', value: await this.read((inputs['image'] as BinaryArtifact).data) } };
  }
}
