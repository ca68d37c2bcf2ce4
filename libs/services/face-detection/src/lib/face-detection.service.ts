import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { Artifact, BinaryArtifact } from '@aim/contracts';
import { initTensorflow, MlBackendChoice, MlRuntimeInfo } from '@aim/ml-runtime';
import { decodeRgb, RgbImage, TaskCall, TaskHandler, TaskService } from '@aim/service-kit';
import { DETECTION_DEFAULTS, FACE_DETECTION_DESCRIPTOR } from './face-detection.descriptor';
import { FACE_DETECTION_OPTIONS } from './face-detection.constants';
import { BlazeFaceRunner, InProcessBlazeFace, WorkerBlazeFace } from './blazeface-model';
import { FacePyramid, PyramidOptions } from './face-pyramid';

export interface FaceDetectionOptions {
  maxInputPixels: number;
  mlBackend: MlBackendChoice;
  /** The short-range BlazeFace model (`facemesh-detection-short.json`), committed with this library. */
  modelPath: string;
  /** blazeface.worker.js, which runs the model on its own thread when the backend is wasm. */
  workerPath: string;
}

/** Where this library keeps the files the service needs, under the repository root. */
export function faceDetectionFiles(root: string): Pick<FaceDetectionOptions, 'modelPath' | 'workerPath'> {
  return {
    modelPath: join(root, 'libs/services/face-detection/model/facemesh-detection-short.json'),
    workerPath: join(root, 'libs/services/face-detection/src/lib/blazeface.worker.js'),
  };
}

/**
 * A larger photo is looked at shrunk to this longer side (cheap: JPEG shrink-on-load), which bounds the
 * time a photo takes; `minFaceSize` counts in the pixels of that view, boxes are scaled back.
 */
const DETECTION_SIDE = 1920;

export interface DetectedFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  landmarks: Record<string, [number, number]>;
}

/** The model's six points, in its order. */
const LANDMARKS = ['leftEye', 'rightEye', 'nose', 'mouth', 'leftEar', 'rightEar'];

@Injectable()
export class FaceDetectionService extends TaskService implements OnApplicationShutdown {
  readonly descriptor = FACE_DETECTION_DESCRIPTOR;
  override readonly maxConcurrency = 1;
  readonly handlers: Record<string, TaskHandler> = { detect: (call) => this.detectTask(call) };
  private pyramid?: FacePyramid;
  private model?: BlazeFaceRunner;
  private info?: MlRuntimeInfo;

  constructor(@Inject(FACE_DETECTION_OPTIONS) private readonly options: FaceDetectionOptions) {
    super();
  }

  override async ready(): Promise<void> {
    this.info = await initTensorflow(this.options.mlBackend);
    if (this.info.backend === 'wasm') {
      const worker = new WorkerBlazeFace(this.options.workerPath, this.options.modelPath);
      await worker.start();
      this.model = worker;
    } else {
      this.model = await InProcessBlazeFace.load(this.options.modelPath);
    }
    this.pyramid = new FacePyramid(this.model);
    // The model's first call costs several times the steady state: paid here, on a small image (a
    // full-size one would hold every process start, and the tests' marketplaces, for seconds).
    const blank: RgbImage = { pixels: Buffer.alloc(480 * 270 * 3, 128), width: 480, height: 270, scale: 1 };
    await this.pyramid.detect(blank, DETECTION_DEFAULTS);
  }

  /** How many tensors the model holds (in its worker on wasm): flat from call to call, or something leaks. */
  tensors(): Promise<number> {
    return this.model!.tensors();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.model?.close();
  }

  override runtime(): Record<string, string> | undefined {
    return this.info && { mlBackend: this.info.backend, simd: String(this.info.simd), model: 'BlazeFace short-range (MediaPipe), image pyramid' };
  }

  /** Every face in RGB pixels, best first, in the coordinates of the image before `scale` shrank it. */
  async detect(image: RgbImage, options: Partial<PyramidOptions> = {}): Promise<DetectedFace[]> {
    const { width, height, scale } = image;
    const back = (value: number) => value / scale;
    const faces = await this.pyramid!.detect(image, {
      minFaceSize: options.minFaceSize ?? DETECTION_DEFAULTS.minFaceSize,
      minScore: options.minScore ?? DETECTION_DEFAULTS.minScore,
      maxFaces: options.maxFaces ?? DETECTION_DEFAULTS.maxFaces,
    });
    return faces
      .map((face): DetectedFace => {
        const x = Math.max(0, Math.round(back(face.box[0])));
        const y = Math.max(0, Math.round(back(face.box[1])));
        const right = Math.min(Math.round(width / scale), Math.round(back(face.box[2])));
        const bottom = Math.min(Math.round(height / scale), Math.round(back(face.box[3])));
        return {
          box: { x, y, width: right - x, height: bottom - y },
          score: Math.round(face.score * 1000) / 1000,
          landmarks: Object.fromEntries(face.keypoints.map(([px, py], i) => [LANDMARKS[i], [Math.round(back(px)), Math.round(back(py))]])),
        };
      })
      .filter(({ box }) => box.width > 0 && box.height > 0); // a box in the padding beyond the photo: nothing to crop or blur
  }

  private async detectTask({ inputs, params }: TaskCall): Promise<Record<string, Artifact>> {
    const image = await decodeRgb((inputs['image'] as BinaryArtifact).data, this.options.maxInputPixels, DETECTION_SIDE);
    const faces = await this.detect(image, {
      minScore: params['minScore'] as number,
      maxFaces: params['maxFaces'] as number,
      minFaceSize: params['minFaceSize'] as number,
    });
    return { faces: { contentType: 'application/json', value: faces } };
  }
}
