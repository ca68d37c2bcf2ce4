import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import sharp from 'sharp';
import { Artifact, BinaryArtifact } from '@aim/contracts';
import { createHuman, faceBox, FaceResult, Human, initTensorflow, MlBackendChoice, MlRuntimeInfo, rgbTensor, tf } from '@aim/ml-runtime';
import { decodeRgb, RgbImage, TaskCall, TaskHandler, TaskService } from '@aim/service-kit';
import { EMOTIONS, FACE_ANALYZER_DESCRIPTOR, RACES } from './face-analyzer.descriptor';
import { FACE_ANALYZER_OPTIONS } from './face-analyzer.constants';
import { InProcessGear, RacePredictor, RaceScores, round, WorkerGear } from './gear-race.model';

export interface FaceAnalyzerOptions {
  maxInputPixels: number;
  mlBackend: MlBackendChoice;
  /** `gear.json` (race), fetched at install by tools/scripts/fetch-gear-model.mjs. */
  gearModelPath: string;
  /** gear-race.worker.js, which runs gear on its own thread when the backend is wasm. */
  gearWorkerPath: string;
}

/** Where this library keeps the files the service needs, under the repository root. */
export function faceAnalyzerFiles(root: string): Pick<FaceAnalyzerOptions, 'gearModelPath' | 'gearWorkerPath'> {
  return {
    gearModelPath: join(root, 'libs/services/face-analyzer/model/gear/gear.json'),
    gearWorkerPath: join(root, 'libs/services/face-analyzer/src/lib/gear-race.worker.js'),
  };
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

/** The face of the other pass whose box overlaps this one most (the same detector, so nearly equal). */
function bestOverlap(face: FaceResult, others: FaceResult[]): FaceResult | undefined {
  const [x, y, w, h] = face.box;
  let best: FaceResult | undefined;
  let bestArea = 0;
  for (const other of others) {
    const [ox, oy, ow, oh] = other.box;
    const area = Math.max(0, Math.min(x + w, ox + ow) - Math.max(x, ox)) * Math.max(0, Math.min(y + h, oy + oh) - Math.max(y, oy));
    if (area > bestArea) {
      best = other;
      bestArea = area;
    }
  }
  return bestArea > 0.5 * w * h ? best : undefined;
}

function best<T extends string>(distribution: Record<T, number>): T {
  return (Object.keys(distribution) as T[]).reduce((a, b) => (distribution[b] > distribution[a] ? b : a));
}

@Injectable()
export class FaceAnalyzerService extends TaskService implements OnApplicationShutdown {
  readonly descriptor = FACE_ANALYZER_DESCRIPTOR;
  override readonly maxConcurrency = 1;
  readonly handlers: Record<string, TaskHandler> = { analyse: (call) => this.analyseTask(call) };
  /** Finds faces and gives their crops (for gear). */
  private detector?: Human;
  /** Age and gender (faceres) and emotion. */
  private human?: Human;
  private gear?: RacePredictor;
  private info?: MlRuntimeInfo;

  constructor(@Inject(FACE_ANALYZER_OPTIONS) private readonly options: FaceAnalyzerOptions) {
    super();
  }

  override async ready(): Promise<void> {
    this.info = await initTensorflow(this.options.mlBackend);
    this.gear = this.info.backend === 'wasm' ? await WorkerGear.start(this.options.gearWorkerPath, this.options.gearModelPath) : await InProcessGear.load(this.options.gearModelPath);
    this.detector = await createHuman(this.info, { detector: { enabled: true, rotation: false, maxDetected: 50, minConfidence: 0.2, return: true } } as never);
    this.human = await createHuman(this.info, {
      detector: { enabled: true, rotation: false, maxDetected: 50, minConfidence: 0.2, return: false },
      description: { enabled: true },
      emotion: { enabled: true, minConfidence: 0 },
    } as never);
    const face = await sharp({ create: { width: 128, height: 128, channels: 3, background: '#b08060' } }).raw().toBuffer();
    for (let i = 0; i < 2; i++) await this.analyse({ pixels: face, width: 128, height: 128, scale: 1 }, 'photo', 0.5, 1);
  }

  /** At the very end of a stop: the calls in hand are finished before (the service process waits for them). */
  async onApplicationShutdown(): Promise<void> {
    await this.gear?.close();
  }

  override runtime(): Record<string, string> | undefined {
    return this.info && { mlBackend: this.info.backend, simd: String(this.info.simd), models: 'blazeface, faceres, emotion (Human 3.3); gear (race)' };
  }

  async analyse(image: RgbImage, input: 'photo' | 'face', minScore: number, maxFaces: number): Promise<AnalysedFace[]> {
    if (input === 'photo') return (await this.run(image, minScore)).slice(0, maxFaces);
    // A face crop is the face: gear starts on it at once, while faceres and emotion run here.
    const race = this.raceOfWhole(image);
    let [face] = await this.describeFaces(image);
    let box = face && faceBox(face.box, image.width, image.height);
    if (!face) {
      // A tight crop: give the detector some context, then map the box back into the crop.
      const margin = Math.round(Math.max(image.width, image.height) * CROP_MARGIN);
      const padded = await sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: 3 } })
        .extend({ top: margin, bottom: margin, left: margin, right: margin, extendWith: 'mirror' })
        .raw()
        .toBuffer();
      [face] = await this.describeFaces({ pixels: padded, width: image.width + 2 * margin, height: image.height + 2 * margin, scale: 1 });
      if (face) {
        const x = Math.max(0, Math.round(face.box[0]) - margin);
        const y = Math.max(0, Math.round(face.box[1]) - margin);
        box = { x, y, width: Math.min(image.width - x, Math.round(face.box[2])), height: Math.min(image.height - y, Math.round(face.box[3])) };
      }
    }
    const races = await race;
    return face && box ? [{ ...this.describe(face, face, races, image), box }] : [];
  }

  /** Age, gender and emotion of every face found, best first (one pass of the full Human). */
  private async describeFaces(image: RgbImage): Promise<FaceResult[]> {
    const input = rgbTensor(image.pixels, image.width, image.height);
    let faces: FaceResult[] = [];
    try {
      faces = (await this.human!.detect(input)).face;
      return faces.filter((face) => face.score >= 0.2).sort((a, b) => b.score - a.score);
    } finally {
      input.dispose();
      faces.forEach((face) => tf.dispose(face.tensor as tf.Tensor | undefined));
    }
  }

  /** gear on the whole image, scaled to the 256×256, 0..1 crop Human would have made of a face. */
  private raceOfWhole(image: RgbImage): Promise<RaceScores> {
    const face = tf.tidy(() => tf.image.resizeBilinear(rgbTensor(image.pixels, image.width, image.height).toFloat().div(255) as tf.Tensor3D, [256, 256]));
    try {
      return this.gear!.predict(face);
    } finally {
      face.dispose();
    }
  }

  /**
   * Two passes over the image: the detector's face crops go to gear (race) on the other thread while
   * faceres and emotion run here; the faces of both passes are matched by their boxes.
   */
  private async run(image: RgbImage, minScore: number): Promise<AnalysedFace[]> {
    const input = rgbTensor(image.pixels, image.width, image.height);
    let detected: FaceResult[] = [];
    let described: FaceResult[] = [];
    try {
      detected = (await this.detector!.detect(input)).face;
      const found = detected.filter((face) => face.score >= minScore);
      if (!found.length) return [];
      const races = found.map((face) => this.gear!.predict(face.tensor as tf.Tensor));
      described = (await this.human!.detect(input)).face;
      const scores = await Promise.all(races);
      return found
        .map((face, i) => ({ face, race: scores[i], description: bestOverlap(face, described) }))
        .filter((match): match is { face: FaceResult; race: RaceScores; description: FaceResult } => match.description !== undefined)
        .sort((a, b) => b.face.score - a.face.score)
        .map(({ face, race, description }) => this.describe(face, description, race, image));
    } finally {
      input.dispose();
      // Every face crop Human handed back, kept or not, is disposed here.
      [...detected, ...described].forEach((face) => tf.dispose(face.tensor as tf.Tensor | undefined));
    }
  }

  private describe(face: FaceResult, description: FaceResult, races: RaceScores, image: RgbImage): AnalysedFace {
    const emotions = Object.fromEntries(EMOTIONS.map((name) => [name, 0])) as Record<(typeof EMOTIONS)[number], number>;
    for (const { emotion, score } of description.emotion ?? []) emotions[emotion as (typeof EMOTIONS)[number]] = round(score);
    return {
      box: faceBox(face.box, image.width, image.height),
      score: round(face.score),
      age: Math.round((description.age ?? 0) * 10) / 10,
      gender: { label: description.gender === 'male' ? 'male' : 'female', confidence: round(description.genderScore ?? 0) },
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
