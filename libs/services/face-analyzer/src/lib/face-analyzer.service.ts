import { Inject, Injectable } from '@nestjs/common';
import sharp from 'sharp';
import { Artifact, BinaryArtifact } from '@aim/contracts';
import { createHuman, faceBox, FaceResult, Human, initTensorflow, MlBackendChoice, MlRuntimeInfo, rgbTensor, tf } from '@aim/ml-runtime';
import { decodeRgb, RgbImage, TaskCall, TaskHandler, TaskService } from '@aim/service-kit';
import { EMOTIONS, FACE_ANALYZER_DESCRIPTOR, RACES } from './face-analyzer.descriptor';
import { FACE_ANALYZER_OPTIONS } from './face-analyzer.constants';
import { GearRaceModel, round } from './gear-race.model';

export interface FaceAnalyzerOptions {
  maxInputPixels: number;
  mlBackend: MlBackendChoice;
  /** `gear.json` (race), fetched at install by tools/scripts/fetch-gear-model.mjs. */
  gearModelPath: string;
}

export interface AnalysedFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  age: number;
  gender: { label: 'female' | 'male'; confidence: number };
  race: { label: (typeof RACES)[number]; distribution: Record<string, number> };
  emotion: { label: (typeof EMOTIONS)[number]; distribution: Record<string, number> };
}

/** Margin added around a face crop in which BlazeFace finds nothing: it needs a little context. */
const CROP_MARGIN = 0.4;

function best<T extends string>(distribution: Record<T, number>): T {
  return (Object.keys(distribution) as T[]).reduce((a, b) => (distribution[b] > distribution[a] ? b : a));
}

@Injectable()
export class FaceAnalyzerService extends TaskService {
  readonly descriptor = FACE_ANALYZER_DESCRIPTOR;
  override readonly maxConcurrency = 1;
  readonly handlers: Record<string, TaskHandler> = { analyse: (call) => this.analyseTask(call) };
  private human?: Human;
  private gear?: GearRaceModel;
  private info?: MlRuntimeInfo;

  constructor(@Inject(FACE_ANALYZER_OPTIONS) private readonly options: FaceAnalyzerOptions) {
    super();
  }

  override async ready(): Promise<void> {
    this.info = await initTensorflow(this.options.mlBackend);
    this.gear = await GearRaceModel.load(this.options.gearModelPath);
    this.human = await createHuman(this.info, {
      detector: { enabled: true, rotation: false, maxDetected: 50, minConfidence: 0.2, return: true },
      description: { enabled: true },
      emotion: { enabled: true, minConfidence: 0 },
    } as never);
    const face = await sharp({ create: { width: 128, height: 128, channels: 3, background: '#b08060' } }).raw().toBuffer();
    for (let i = 0; i < 2; i++) await this.analyse({ pixels: face, width: 128, height: 128, scale: 1 }, 'photo', 0.5, 1);
  }

  override runtime(): Record<string, string> | undefined {
    return this.info && { mlBackend: this.info.backend, simd: String(this.info.simd), models: 'blazeface, faceres, emotion (Human 3.3); gear (race)' };
  }

  async analyse(image: RgbImage, input: 'photo' | 'face', minScore: number, maxFaces: number): Promise<AnalysedFace[]> {
    if (input === 'photo') return (await this.run(image, minScore)).slice(0, maxFaces);
    const found = await this.run(image, 0.2);
    if (found.length) return found.slice(0, 1);
    // A tight crop: give the detector some context, then map the box back into the crop.
    const margin = Math.round(Math.max(image.width, image.height) * CROP_MARGIN);
    const padded = await sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: 3 } })
      .extend({ top: margin, bottom: margin, left: margin, right: margin, extendWith: 'mirror' })
      .raw()
      .toBuffer();
    const [face] = await this.run({ pixels: padded, width: image.width + 2 * margin, height: image.height + 2 * margin, scale: 1 }, 0.2);
    if (!face) return [];
    const x = Math.max(0, face.box.x - margin);
    const y = Math.max(0, face.box.y - margin);
    return [{ ...face, box: { x, y, width: Math.min(image.width - x, face.box.width), height: Math.min(image.height - y, face.box.height) } }];
  }

  private async run(image: RgbImage, minScore: number): Promise<AnalysedFace[]> {
    const input = rgbTensor(image.pixels, image.width, image.height);
    let faces: FaceResult[] = [];
    try {
      faces = (await this.human!.detect(input)).face;
      return faces
        .filter((face) => face.score >= minScore)
        .sort((a, b) => b.score - a.score)
        .map((face) => this.describe(face, image));
    } finally {
      input.dispose();
      faces.forEach((face) => tf.dispose(face.tensor as tf.Tensor | undefined));
    }
  }

  private describe(face: FaceResult, image: RgbImage): AnalysedFace {
    const emotions = Object.fromEntries(EMOTIONS.map((name) => [name, 0])) as Record<(typeof EMOTIONS)[number], number>;
    for (const { emotion, score } of face.emotion ?? []) emotions[emotion as (typeof EMOTIONS)[number]] = round(score);
    const races = this.gear!.predict(face.tensor as tf.Tensor);
    return {
      box: faceBox(face.box, image.width, image.height),
      score: round(face.score),
      age: Math.round((face.age ?? 0) * 10) / 10,
      gender: { label: face.gender === 'male' ? 'male' : 'female', confidence: round(face.genderScore ?? 0) },
      race: { label: best(races), distribution: races },
      emotion: { label: best(emotions), distribution: emotions },
    };
  }

  private async analyseTask({ inputs, params }: TaskCall): Promise<Record<string, Artifact>> {
    const image = await decodeRgb((inputs['image'] as BinaryArtifact).data, this.options.maxInputPixels);
    const found = await this.analyse(image, params['input'] as 'photo' | 'face', params['minScore'] as number, params['maxFaces'] as number);
    const offset = params['offset'] as { x?: number; y?: number };
    const faces = found.map((face) => ({ ...face, box: { ...face.box, x: face.box.x + Math.round(offset.x ?? 0), y: face.box.y + Math.round(offset.y ?? 0) } }));
    return {
      faces: { contentType: 'application/json', value: faces },
      face: { contentType: 'application/json', value: faces[0] ?? null },
    };
  }
}
