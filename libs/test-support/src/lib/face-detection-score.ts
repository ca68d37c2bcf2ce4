import { Box, FaceTestFrame, IGNORED_BELOW, intersectionOverUnion, SIZE_BANDS } from './face-test-set';

export interface BandScore {
  band: [number, number];
  faces: number;
  found: number;
  recall: number;
}

export interface DetectionScore {
  bands: BandScore[];
  /** Counted faces (IGNORED_BELOW px and wider) of every band, and how many were found. */
  faces: number;
  found: number;
  detections: number;
  /** Detections that are a true face (a face narrower than IGNORED_BELOW neither counts nor hurts). */
  correct: number;
  precision: number;
  /** Detections on the frames without any face. */
  onNoFaceFrames: number;
  missed: { frame: string; face: Box }[];
  wrong: { frame: string; box: Box }[];
}

/**
 * Scores detections against the set's true boxes: a detection finds the unmatched true face it
 * overlaps most when their intersection over union is at least `minIou` (best-scored detections first,
 * as a detector returns them).
 */
export function scoreDetections(frames: FaceTestFrame[], detections: Box[][], minIou = 0.4): DetectionScore {
  const counts = SIZE_BANDS.map((band) => ({ band, faces: 0, found: 0, recall: 0 }));
  const bandOf = (face: Box) =>
    counts.find(({ band: [low, high] }) => face.width >= low && face.width < high);
  const missed: DetectionScore['missed'] = [];
  const wrong: DetectionScore['wrong'] = [];
  let correct = 0;
  let onNoFaceFrames = 0;
  frames.forEach((frame, f) => {
    const matched = new Set<number>();
    for (const box of detections[f]) {
      let best = -1;
      let bestIou = minIou;
      frame.faces.forEach((face, i) => {
        const iou = intersectionOverUnion(box, face);
        if (!matched.has(i) && iou >= bestIou) [best, bestIou] = [i, iou];
      });
      if (best >= 0) {
        matched.add(best);
        if (frame.faces[best].width >= IGNORED_BELOW) correct++;
      } else {
        wrong.push({ frame: frame.name, box });
        if (!frame.faces.length) onNoFaceFrames++;
      }
    }
    frame.faces.forEach((face, i) => {
      const band = bandOf(face);
      if (!band) return;
      band.faces++;
      if (matched.has(i)) band.found++;
      else missed.push({ frame: frame.name, face });
    });
  });
  for (const band of counts) band.recall = band.faces ? band.found / band.faces : 1;
  const total = detections.reduce(
    (sum, boxes, f) => sum + boxes.filter((box) => !isOnIgnoredFace(box, frames[f].faces, minIou)).length,
    0,
  );
  const faces = counts.reduce((sum, band) => sum + band.faces, 0);
  return {
    bands: counts,
    faces,
    found: faces - missed.length,
    detections: total,
    correct,
    precision: total ? correct / total : 1,
    onNoFaceFrames,
    missed,
    wrong,
  };
}

function isOnIgnoredFace(box: Box, faces: Box[], minIou: number): boolean {
  return faces.some((face) => face.width < IGNORED_BELOW && intersectionOverUnion(box, face) >= minIou);
}
