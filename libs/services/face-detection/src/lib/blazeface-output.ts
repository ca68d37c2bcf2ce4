/**
 * What MediaPipe's short-range BlazeFace answers, decoded. Each anchor gives a row
 * `[score logit, dx, dy, w, h, 6 × (x, y)]`: the box centre and the six points are offsets from the
 * anchor's centre, sizes are in input pixels. The anchors lie on two grids over the input: every 8 px
 * (2 anchors per cell), then every 16 px (6 per cell), row by row; on an input larger than 128×128
 * the grids simply grow with it.
 */

/** `Math` as a module constant: in Jest's vm context (Node 20.20) each lookup of a global costs about 40
 * times more, which made the hot loops below 40 times slower in the tests than in the product. */
const math = Math;

export const ROW_LENGTH = 17;
const KEYPOINTS = 6;
const GRIDS: [stride: number, perCell: number][] = [
  [8, 2],
  [16, 6],
];
/** Input sides must be a multiple of the coarsest grid's step. */
export const GRID_STEP = 16;

export type Box = [x0: number, y0: number, x1: number, y1: number];

export interface Candidate {
  box: Box;
  score: number;
  /** Six [x, y] points: the eyes (image left first), nose tip, mouth, the ears (image left first). */
  keypoints: [number, number][];
}

/** How many anchors an input of `width` × `height` has (both multiples of GRID_STEP). */
export function anchorCount(width: number, height: number): number {
  return GRIDS.reduce((sum, [stride, perCell]) => sum + (width / stride) * (height / stride) * perCell, 0);
}

/**
 * The faces one input image of the batch scored at least `minScore`, in that input's pixels.
 * `rows` holds the whole batch; `image` picks one.
 */
export function decodeRows(
  rows: Float32Array,
  width: number,
  height: number,
  minScore: number,
  image = 0,
): Candidate[] {
  const faces: Candidate[] = [];
  const minLogit = math.log(minScore / (1 - minScore));
  let at = image * anchorCount(width, height) * ROW_LENGTH;
  for (const [stride, perCell] of GRIDS) {
    for (let y = 0; y < height / stride; y++) {
      for (let x = 0; x < width / stride; x++) {
        for (let n = 0; n < perCell; n++, at += ROW_LENGTH) {
          if (rows[at] < minLogit) continue;
          const [ax, ay] = [stride * (x + 0.5), stride * (y + 0.5)];
          const [cx, cy, w, h] = [ax + rows[at + 1], ay + rows[at + 2], rows[at + 3], rows[at + 4]];
          if (!(w > 0 && h > 0)) continue; // a regression gone wrong: no box
          const keypoints: [number, number][] = [];
          for (let k = 0; k < KEYPOINTS; k++)
            keypoints.push([ax + rows[at + 5 + 2 * k], ay + rows[at + 6 + 2 * k]]);
          faces.push({
            box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2],
            score: 1 / (1 + math.exp(-rows[at])),
            keypoints,
          });
        }
      }
    }
  }
  return faces;
}

export function intersectionOverUnion(a: Box, b: Box): number {
  const width = math.min(a[2], b[2]) - math.max(a[0], b[0]);
  const height = math.min(a[3], b[3]) - math.max(a[1], b[1]);
  if (width <= 0 || height <= 0) return 0;
  const shared = width * height;
  return shared / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - shared);
}

/** Best-scored first; a box that overlaps a kept one by more than `threshold` is the same face. */
export function nonMaxSuppression<T extends { box: Box; score: number }>(faces: T[], threshold: number): T[] {
  const kept: T[] = [];
  for (const face of [...faces].sort((a, b) => b.score - a.score)) {
    if (!kept.some((other) => intersectionOverUnion(other.box, face.box) > threshold)) kept.push(face);
  }
  return kept;
}

/** A candidate found on an image scaled by `scale`, in the pixels of the image before. */
export function unscaled(face: Candidate, scale: number): Candidate {
  const point = ([x, y]: [number, number]): [number, number] => [x / scale, y / scale];
  const [x0, y0] = point([face.box[0], face.box[1]]);
  const [x1, y1] = point([face.box[2], face.box[3]]);
  return { ...face, box: [x0, y0, x1, y1], keypoints: face.keypoints.map(point) };
}
