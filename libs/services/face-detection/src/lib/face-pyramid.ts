import sharp from 'sharp';
import type { RgbImage } from '@aim/service-kit';
import { Candidate, decodeRows, GRID_STEP, nonMaxSuppression, unscaled } from './blazeface-output';
import { BlazeFaceRunner } from './blazeface-model';

/** `Math` as a module constant: in Jest's vm context (Node 20.20) each lookup of a global costs about 40
 * times more, which made the hot loops below 40 times slower in the tests than in the product. */
const math = Math;

/**
 * MediaPipe's short-range BlazeFace run as a fully convolutional network over an image pyramid, each
 * face it is not sure of looked at a second time, closer.
 *
 * The model was trained on 128×128 inputs with faces of about 16 to 100 px. Each pyramid level is the
 * photo scaled so that the faces it is meant for land in that range: the first level makes a face of
 * `minFaceSize` LEVEL_FACE_PX wide, each next one is LEVEL_RATIO times smaller, and the last one holds
 * the largest face the photo can have. Nearly all the time goes to the first level: its pixels set the
 * cost (about 0.45 µs a pixel on wasm here).
 *
 * At 16 px the first look takes some textures (a door's panels, a knee, a fold) for faces. Every
 * candidate under SURE_SCORE is cut out again, scaled so the face is SECOND_LOOK_FACE_PX wide with the
 * head and shoulders around it, and scored again: its score is the mean of both looks.
 */

/** Face width, in model pixels, that the finest level gives the smallest face searched for. On the
 * small-face set, before the second look existed: at 14 the recall of 24-32 px faces fell to 72%
 * (95% at 16, 99.6% at 20 for 1.6 times the time). */
const LEVEL_FACE_PX = 16;
/** Each level is this much smaller than the one before. */
const LEVEL_RATIO = 3.5;
/** The widest face, in model pixels, a level answers for; wider is a coarser level's. The last level
 * is the first whose shorter side is at most this: a face filling the photo fits the model. */
const LEVEL_LARGEST_FACE_PX = LEVEL_FACE_PX * LEVEL_RATIO * 1.2;
/** Boxes that overlap more than this (intersection over union) are one face. */
const SAME_FACE_IOU = 0.3;
/** A first look this sure needs no second one. */
const SURE_SCORE = 0.9;
/** Candidates scored this much under `minScore` at first may still reach it with the second look. */
const SECOND_LOOK_REACH = 0.1;
/** The second look: a SECOND_LOOK_SIDE square with the face SECOND_LOOK_FACE_PX wide in its middle. */
const SECOND_LOOK_SIDE = 96;
const SECOND_LOOK_FACE_PX = 40;
/** Second looks go through the model this many at a time. */
const SECOND_LOOK_BATCH = 16;
/** At most this many second looks per photo (about 6 ms each), best candidates first; the unsure
 * candidates beyond are left out. */
const MAX_SECOND_LOOKS = 300;

export interface PyramidOptions {
  minFaceSize: number;
  minScore: number;
  maxFaces: number;
}

export type PyramidFace = Candidate;

export class FacePyramid {
  constructor(private readonly model: BlazeFaceRunner) {}

  /** The scales the image is looked at, finest first, for faces from `minFaceSize` px up to the whole image. */
  static levels(width: number, height: number, minFaceSize: number): number[] {
    const scales: number[] = [];
    const shorter = math.min(width, height);
    for (let scale = math.min(1, LEVEL_FACE_PX / minFaceSize); ; scale /= LEVEL_RATIO) {
      scales.push(scale);
      if (shorter * scale <= LEVEL_LARGEST_FACE_PX) break;
    }
    return scales;
  }

  /** Every face at least about `minFaceSize` px wide scored `minScore` or more, best first, in image pixels. */
  async detect(image: RgbImage, options: PyramidOptions): Promise<PyramidFace[]> {
    const firstLookMin = options.minScore - SECOND_LOOK_REACH;
    const levels = FacePyramid.levels(image.width, image.height, options.minFaceSize);
    // The next level is scaled while the model works on this one.
    const found = await Promise.all(
      levels.map(async (scale, i) => {
        const largest = i === levels.length - 1 ? Infinity : LEVEL_LARGEST_FACE_PX / scale;
        return (await this.level(image, scale, firstLookMin)).filter(
          (face) => face.box[2] - face.box[0] <= largest,
        );
      }),
    );
    const candidates = nonMaxSuppression(found.flat(), SAME_FACE_IOU);
    const sure = candidates.filter((face) => face.score >= SURE_SCORE);
    const unsure = candidates.filter((face) => face.score < SURE_SCORE);
    const looked = await this.secondLook(image, unsure.slice(0, MAX_SECOND_LOOKS));
    return [...sure, ...looked]
      .filter((face) => face.score >= options.minScore)
      .sort((a, b) => b.score - a.score)
      .slice(0, options.maxFaces);
  }

  /** One level: the image scaled (by sharp, off this thread), padded to the grid, through the model, decoded back. */
  private async level(image: RgbImage, scale: number, minScore: number): Promise<Candidate[]> {
    const width = math.max(1, math.round(image.width * scale));
    const height = math.max(1, math.round(image.height * scale));
    const scaled =
      width === image.width && height === image.height
        ? image.pixels
        : await sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: 3 } })
            .resize(width, height, { fit: 'fill' })
            .raw()
            .toBuffer();
    const paddedWidth = math.ceil(width / GRID_STEP) * GRID_STEP;
    const paddedHeight = math.ceil(height / GRID_STEP) * GRID_STEP;
    const input = new Float32Array(paddedWidth * paddedHeight * 3); // the padding stays 0: grey
    for (let y = 0; y < height; y++) {
      const from = y * width * 3;
      const to = y * paddedWidth * 3;
      for (let i = 0; i < width * 3; i++) input[to + i] = scaled[from + i] / 127.5 - 1;
    }
    const rows = await this.model.execute(input, [1, paddedHeight, paddedWidth, 3]);
    return decodeRows(rows, paddedWidth, paddedHeight, minScore).map((face) => unscaled(face, scale));
  }

  /** The candidates scored again on a closer look; the score each keeps is the mean of both looks. */
  private async secondLook(image: RgbImage, candidates: Candidate[]): Promise<Candidate[]> {
    const looked: Candidate[] = [];
    for (let start = 0; start < candidates.length; start += SECOND_LOOK_BATCH) {
      const batch = candidates.slice(start, start + SECOND_LOOK_BATCH);
      const rows = await this.model.execute(closeLooks(image, batch), [
        batch.length,
        SECOND_LOOK_SIDE,
        SECOND_LOOK_SIDE,
        3,
      ]);
      batch.forEach((face, i) =>
        looked.push({ ...face, score: (face.score + secondLookScore(rows, i)) / 2 }),
      );
    }
    return looked;
  }
}

/**
 * Each candidate's surroundings, SECOND_LOOK_SIDE square with the face SECOND_LOOK_FACE_PX wide in
 * the middle, sampled bilinearly from the RGB pixels and normalised to -1..1 (grey beyond the edges).
 */
function closeLooks(image: RgbImage, candidates: Candidate[]): Float32Array {
  const side = SECOND_LOOK_SIDE;
  const out = new Float32Array(candidates.length * side * side * 3);
  const { pixels, width, height } = image;
  candidates.forEach(({ box }, n) => {
    const step = (box[2] - box[0]) / SECOND_LOOK_FACE_PX;
    const left = (box[0] + box[2]) / 2 - (side / 2) * step;
    const top = (box[1] + box[3]) / 2 - (side / 2) * step;
    let at = n * side * side * 3;
    for (let y = 0; y < side; y++) {
      const sy = top + (y + 0.5) * step - 0.5;
      const y0 = math.floor(sy);
      const fy = sy - y0;
      for (let x = 0; x < side; x++, at += 3) {
        const sx = left + (x + 0.5) * step - 0.5;
        const x0 = math.floor(sx);
        const fx = sx - x0;
        if (x0 < 0 || y0 < 0 || x0 + 1 >= width || y0 + 1 >= height) continue; // 0: grey
        const i00 = (y0 * width + x0) * 3;
        const i10 = i00 + 3;
        const i01 = i00 + width * 3;
        const i11 = i01 + 3;
        for (let c = 0; c < 3; c++) {
          const upper = pixels[i00 + c] * (1 - fx) + pixels[i10 + c] * fx;
          const lower = pixels[i01 + c] * (1 - fx) + pixels[i11 + c] * fx;
          out[at + c] = (upper * (1 - fy) + lower * fy) / 127.5 - 1;
        }
      }
    }
  });
  return out;
}

/** The best score, in one second-look crop of the batch, of a face in its middle about SECOND_LOOK_FACE_PX wide. */
function secondLookScore(rows: Float32Array, image: number): number {
  const middle = SECOND_LOOK_SIDE / 2;
  const nearMiddle = SECOND_LOOK_FACE_PX * 0.3;
  let best = 0;
  for (const face of decodeRows(rows, SECOND_LOOK_SIDE, SECOND_LOOK_SIDE, 0.05, image)) {
    const [x0, y0, x1, y1] = face.box;
    const width = x1 - x0;
    const centred =
      math.abs((x0 + x1) / 2 - middle) < nearMiddle && math.abs((y0 + y1) / 2 - middle) < nearMiddle;
    if (centred && width > SECOND_LOOK_FACE_PX * 0.6 && width < SECOND_LOOK_FACE_PX * 1.6)
      best = math.max(best, face.score);
  }
  return best;
}
