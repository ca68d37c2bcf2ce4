import { Inject, Injectable } from '@nestjs/common';
import { Artifact, BinaryArtifact } from '@aim/contracts';
import { createHuman, faceBox, Human, initTensorflow, MlBackendChoice, MlRuntimeInfo, rgbTensor, tf } from '@aim/ml-runtime';
import { decodeRgb, RgbImage, TaskCall, TaskHandler, TaskService } from '@aim/service-kit';
import { FACE_DETECTION_DESCRIPTOR } from './face-detection.descriptor';
import { FACE_DETECTION_OPTIONS } from './face-detection.constants';

export interface FaceDetectionOptions {
  maxInputPixels: number;
  mlBackend: MlBackendChoice;
}

/** BlazeFace looks at 256×256: a larger photo is shrunk to this longer side first (cheap: JPEG
 * shrink-on-load), boxes scaled back. */
const DETECTION_SIDE = 640;

export interface DetectedFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  landmarks: Record<string, [number, number]>;
}

const LANDMARKS = ['leftEye', 'rightEye', 'nose', 'mouth', 'leftEar', 'rightEar'];

@Injectable()
export class FaceDetectionService extends TaskService {
  readonly descriptor = FACE_DETECTION_DESCRIPTOR;
  override readonly maxConcurrency = 1;
  readonly handlers: Record<string, TaskHandler> = { detect: (call) => this.detectTask(call) };
  private human?: Human;
  private info?: MlRuntimeInfo;

  constructor(@Inject(FACE_DETECTION_OPTIONS) private readonly options: FaceDetectionOptions) {
    super();
  }

  override async ready(): Promise<void> {
    this.info = await initTensorflow(this.options.mlBackend);
    this.human = await createHuman(this.info, {});
    // The first calls cost several times the steady state: pay them before reporting ready.
    const blank = tf.zeros([256, 256, 3], 'int32') as tf.Tensor3D;
    for (let i = 0; i < 2; i++) await this.human.detect(blank);
    blank.dispose();
  }

  override runtime(): Record<string, string> | undefined {
    return this.info && { mlBackend: this.info.backend, simd: String(this.info.simd), model: 'blazeface (Human 3.3)' };
  }

  /** Every face in RGB pixels, best first, in the coordinates of the image before `scale` shrank it. */
  async detect({ pixels, width, height, scale }: RgbImage, minScore = 0.5, maxFaces = 50): Promise<DetectedFace[]> {
    const input = rgbTensor(pixels, width, height);
    const back = (value: number) => value / scale;
    try {
      const result = await this.human!.detect(input);
      return result.face
        .filter((face) => face.score >= minScore)
        .sort((a, b) => b.score - a.score)
        .slice(0, maxFaces)
        .map((face) => ({
          box: faceBox(face.box.map(back) as typeof face.box, width / scale, height / scale),
          score: Math.round(face.score * 1000) / 1000,
          landmarks: Object.fromEntries(
            LANDMARKS.filter((name) => face.annotations?.[name as keyof typeof face.annotations]?.[0]).map((name) => {
              const [x, y] = face.annotations[name as keyof typeof face.annotations][0];
              return [name, [Math.round(back(x)), Math.round(back(y))]];
            }),
          ),
        }));
    } finally {
      input.dispose();
    }
  }

  private async detectTask({ inputs, params }: TaskCall): Promise<Record<string, Artifact>> {
    const image = await decodeRgb((inputs['image'] as BinaryArtifact).data, this.options.maxInputPixels, DETECTION_SIDE);
    const faces = await this.detect(image, params['minScore'] as number, params['maxFaces'] as number);
    return { faces: { contentType: 'application/json', value: faces } };
  }
}
