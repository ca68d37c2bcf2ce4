import {
  anchorCount,
  decodeRows,
  intersectionOverUnion,
  nonMaxSuppression,
  ROW_LENGTH,
} from './blazeface-output';
import { FacePyramid } from './face-pyramid';

describe('BlazeFace output decoding', () => {
  it('counts the anchors of both grids (896 on the 128x128 the model was made for)', () => {
    expect(anchorCount(128, 128)).toBe(16 * 16 * 2 + 8 * 8 * 6);
    expect(anchorCount(256, 128)).toBe(2 * 896);
  });

  it('decodes a box and its points from offsets to its anchor, and leaves rows under minScore out', () => {
    const rows = new Float32Array(anchorCount(128, 128) * ROW_LENGTH).fill(-10);
    // Anchor 35 of the 8 px grid: cell 17 (x 1, y 1; 16 cells a row), the second of its two: centre (12, 12).
    const at = 35 * ROW_LENGTH;
    rows.set([2, 3, -2, 20, 24, 1, 1, -1, -1, 0, 0, 0, 5, -8, 0, 8, 0], at);
    const [face, ...others] = decodeRows(rows, 128, 128, 0.5);
    expect(others).toEqual([]);
    expect(face.score).toBeCloseTo(1 / (1 + Math.exp(-2)));
    expect(face.box).toEqual([5, -2, 25, 22]);
    expect(face.keypoints).toEqual([
      [13, 13],
      [11, 11],
      [12, 12],
      [12, 17],
      [4, 12],
      [20, 12],
    ]);
    expect(decodeRows(rows, 128, 128, 0.9)).toEqual([]);
    rows[at + 3] = -20; // a negative width: no box at all
    expect(decodeRows(rows, 128, 128, 0.5)).toEqual([]);
  });

  it('keeps the best of overlapping boxes and the boxes apart', () => {
    const faces = [
      { box: [0, 0, 10, 10] as [number, number, number, number], score: 0.6 },
      { box: [1, 1, 11, 11] as [number, number, number, number], score: 0.9 },
      { box: [20, 20, 30, 30] as [number, number, number, number], score: 0.7 },
    ];
    expect(intersectionOverUnion(faces[0].box, faces[1].box)).toBeCloseTo(81 / 119);
    expect(nonMaxSuppression(faces, 0.3).map((face) => face.score)).toEqual([0.9, 0.7]);
  });
});

describe('pyramid levels', () => {
  it('starts where a face of minFaceSize is 16 px, ends where the whole photo fits the model', () => {
    expect(FacePyramid.levels(1920, 1080, 24).map((scale) => Number(scale.toFixed(3)))).toEqual([
      0.667, 0.19, 0.054,
    ]);
    expect(FacePyramid.levels(1920, 1080, 48)[0]).toBeCloseTo(1 / 3);
    expect(FacePyramid.levels(640, 480, 16)[0]).toBe(1); // never enlarged
    expect(FacePyramid.levels(1, 1, 24)).toEqual([0.6666666666666666]);
  });
});
