import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

/** `Math` as a module constant: in Jest's vm context (Node 20.20) each lookup of a global costs about 40
 * times more, which made the hot loops below 40 times slower in the tests than in the product. */
const math = Math;

/**
 * A face-detection test set made from the repository's own photos (`testdata/faces`): the faces of
 * sample1-3 (boxes set by hand in faces.json) shrunk and placed into 1920x1080 frames, down to 24 px
 * wide, with the true boxes known from the placement; and frames without any face. Deterministic:
 * the same files give the same frames.
 */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FaceTestFrame {
  name: string;
  kind: 'wide shot' | 'collage' | 'crowd' | 'no face';
  jpeg: Buffer;
  /** Every face in the frame; faces narrower than IGNORED_BELOW are there but not counted. */
  faces: Box[];
}

export const FRAME = { width: 1920, height: 1080 };
/** Faces narrower than this are neither missed nor false when found: the set makes no claim on them. */
export const IGNORED_BELOW = 24;
export const SIZE_BANDS: [number, number][] = [
  [24, 32],
  [32, 48],
  [48, 96],
  [96, 192],
  [192, Infinity],
];

interface SourcePhoto {
  file: string;
  pixels: Buffer;
  width: number;
  height: number;
  faces: Box[];
}

/** Parts of the photos where nobody is (checked by eye), for backgrounds and the no-face frames. */
const EMPTY_REGIONS: { file: string; region: Box }[] = [
  { file: 'sample1.jpg', region: { x: 0, y: 0, width: 380, height: 620 } },
  { file: 'sample2.jpg', region: { x: 0, y: 700, width: 300, height: 667 } },
  { file: 'sample3.jpg', region: { x: 0, y: 0, width: 420, height: 700 } },
  { file: 'sample3.jpg', region: { x: 1700, y: 0, width: 220, height: 620 } },
  { file: 'messi5.jpg', region: { x: 0, y: 270, width: 200, height: 72 } },
];

/** A small seeded generator (mulberry32): the set must not change from run to run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function loadPhotos(facesFolder: string): Promise<SourcePhoto[]> {
  const truth = JSON.parse(readFileSync(join(facesFolder, 'faces.json'), 'utf8')) as Record<
    string,
    { boxes?: [number, number, number, number][] }
  >;
  const photos: SourcePhoto[] = [];
  for (const [file, { boxes }] of Object.entries(truth)) {
    if (!boxes) continue;
    const { data, info } = await sharp(join(facesFolder, file))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    photos.push({
      file,
      pixels: data,
      width: info.width,
      height: info.height,
      faces: boxes.map(([x, y, width, height]) => ({ x, y, width, height })),
    });
  }
  return photos;
}

const raw = (photo: { pixels: Buffer; width: number; height: number }) =>
  sharp(photo.pixels, { raw: { width: photo.width, height: photo.height, channels: 3 } });

interface Piece {
  image: Buffer; // encoded PNG, placed as is
  left: number;
  top: number;
  faces: Box[]; // in the piece's own pixels
}

/** A photo (or part of it) scaled by `scale`, mirrored or not, with its faces moved along. */
async function piece(
  photo: SourcePhoto,
  scale: number,
  mirrored: boolean,
  part: Box = { x: 0, y: 0, width: photo.width, height: photo.height },
): Promise<Omit<Piece, 'left' | 'top'>> {
  const width = math.max(1, math.round(part.width * scale));
  const height = math.max(1, math.round(part.height * scale));
  let image = raw(photo)
    .extract({ left: part.x, top: part.y, width: part.width, height: part.height })
    .resize(width, height);
  if (mirrored) image = image.flop();
  const faces = photo.faces
    .filter(
      (face) =>
        face.x >= part.x &&
        face.y >= part.y &&
        face.x + face.width <= part.x + part.width &&
        face.y + face.height <= part.y + part.height,
    )
    .map((face) => {
      const x = (face.x - part.x) * scale;
      return {
        x: mirrored ? width - x - face.width * scale : x,
        y: (face.y - part.y) * scale,
        width: face.width * scale,
        height: face.height * scale,
      };
    });
  return { image: await image.png().toBuffer(), faces };
}

/** An empty part of a photo stretched over the frame; plain grey without one. */
async function background(facesFolder: string, source?: { file: string; region: Box }): Promise<Buffer> {
  if (!source)
    return sharp({ create: { ...FRAME, channels: 3, background: '#7a7d80' } })
      .png()
      .toBuffer();
  const { region } = source;
  return sharp(join(facesFolder, source.file))
    .extract({ left: region.x, top: region.y, width: region.width, height: region.height })
    .resize(FRAME.width, FRAME.height, { fit: 'cover' })
    .png()
    .toBuffer();
}

async function frame(
  name: string,
  kind: FaceTestFrame['kind'],
  base: Buffer,
  pieces: Piece[],
): Promise<FaceTestFrame> {
  const jpeg = await sharp(base)
    .composite(pieces.map(({ image, left, top }) => ({ input: image, left, top })))
    .jpeg({ quality: 90 })
    .toBuffer();
  const faces = pieces.flatMap(({ left, top, faces: inPiece }) =>
    inPiece.map((face) => ({
      x: math.round(left + face.x),
      y: math.round(top + face.y),
      width: math.round(face.width),
      height: math.round(face.height),
    })),
  );
  return { name, kind, jpeg, faces };
}

/** Whole photos shrunk to a width, one per frame, somewhere on a background (a wider shot). */
async function wideShots(
  photos: SourcePhoto[],
  facesFolder: string,
  random: () => number,
): Promise<FaceTestFrame[]> {
  const frames: FaceTestFrame[] = [];
  const widths = [1920, 1280, 960, 640, 480, 360, 300, 260];
  for (const [p, photo] of photos.entries()) {
    for (const [w, width] of widths.entries()) {
      const scale = math.min(width / photo.width, FRAME.height / photo.height);
      const made = await piece(photo, scale, (p + w) % 2 === 1);
      const { width: placedWidth, height: placedHeight } = await sharp(made.image).metadata();
      const left = math.floor(random() * (FRAME.width - placedWidth + 1));
      const top = math.floor(random() * (FRAME.height - placedHeight + 1));
      const base = await background(facesFolder, EMPTY_REGIONS[(p + w) % EMPTY_REGIONS.length]);
      frames.push(
        await frame(`wide-${photo.file.replace('.jpg', '')}-${width}`, 'wide shot', base, [
          { ...made, left, top },
        ]),
      );
    }
  }
  return frames;
}

/** Group photos side by side, `perRow` to a row, as many rows as fit: many faces of one size. */
async function collage(photos: SourcePhoto[], perRow: number): Promise<FaceTestFrame> {
  const random = seeded(perRow);
  const cell = math.floor(FRAME.width / perRow);
  const pieces: Piece[] = [];
  for (let top = 0; ; ) {
    const row: Piece[] = [];
    let rowHeight = 0;
    for (let column = 0; column < perRow; column++) {
      const photo = photos[math.floor(random() * photos.length)];
      const made = await piece(photo, cell / photo.width, random() < 0.5);
      rowHeight = math.max(rowHeight, math.round(photo.height * (cell / photo.width)));
      row.push({ ...made, left: column * cell, top });
    }
    if (top + rowHeight > FRAME.height) break;
    pieces.push(...row);
    top += rowHeight;
  }
  return frame(`collage-${perRow}-per-row`, 'collage', await background(''), pieces);
}

/** Heads cut from the photos with some hair and shoulders, 24 to 130 px wide, scattered: a crowd. */
async function crowds(
  photos: SourcePhoto[],
  facesFolder: string,
  random: () => number,
): Promise<FaceTestFrame[]> {
  const heads = photos.flatMap((photo) => photo.faces.map((face) => ({ photo, face })));
  const frames: FaceTestFrame[] = [];
  for (let n = 0; n < 4; n++) {
    const pieces: Piece[] = [];
    const taken: Box[] = [];
    for (let tries = 0; tries < 4000 && pieces.length < 40; tries++) {
      const { photo, face } = heads[math.floor(random() * heads.length)];
      const faceWidth = 24 + random() * (n < 2 ? 24 : 106); // two frames of small heads only
      const scale = faceWidth / face.width;
      const part = {
        x: math.max(0, math.round(face.x - face.width * 0.5)),
        y: math.max(0, math.round(face.y - face.height * 0.6)),
        width: 0,
        height: 0,
      };
      part.width = math.min(photo.width - part.x, math.round(face.width * 2));
      part.height = math.min(photo.height - part.y, math.round(face.height * 2.3));
      const width = math.round(part.width * scale);
      const height = math.round(part.height * scale);
      const left = math.floor(random() * (FRAME.width - width));
      const top = math.floor(random() * (FRAME.height - height));
      const spot = { x: left, y: top, width, height };
      if (taken.some((other) => overlapArea(other, spot) > 0)) continue;
      taken.push(spot);
      const made = await piece(photo, scale, random() < 0.5, part);
      pieces.push({ ...made, left, top });
    }
    const base = await background(facesFolder, EMPTY_REGIONS[n % EMPTY_REGIONS.length]);
    frames.push(await frame(`crowd-${n + 1}`, 'crowd', base, pieces));
  }
  return frames;
}

/** Frames nobody is in: the empty parts of the photos, large and as small tiles; the digit photos; plain grey. */
async function noFaceFrames(facesFolder: string, digitsFolder: string | undefined): Promise<FaceTestFrame[]> {
  const frames: FaceTestFrame[] = [];
  for (const [i, region] of EMPTY_REGIONS.entries())
    frames.push(await frame(`no-face-${i + 1}`, 'no face', await background(facesFolder, region), []));
  for (const tile of [160, 96]) {
    const pieces: Piece[] = [];
    const images = await Promise.all(
      EMPTY_REGIONS.map(({ file, region }) =>
        sharp(join(facesFolder, file))
          .extract({ left: region.x, top: region.y, width: region.width, height: region.height })
          .resize(tile, tile, { fit: 'cover' })
          .png()
          .toBuffer(),
      ),
    );
    for (let top = 0, i = 0; top + tile <= FRAME.height; top += tile) {
      for (let left = 0; left + tile <= FRAME.width; left += tile, i++)
        pieces.push({ image: images[i % images.length], left, top, faces: [] });
    }
    frames.push(await frame(`no-face-tiles-${tile}`, 'no face', await background(''), pieces));
  }
  if (digitsFolder) {
    const files = readdirSync(digitsFolder)
      .filter((file) => file.endsWith('.jpg'))
      .sort();
    const pieces = await Promise.all(
      files.map(async (file, i) => ({
        image: await sharp(join(digitsFolder, file))
          .resize(180, 180, { fit: 'contain', background: '#ffffff' })
          .png()
          .toBuffer(),
        left: 60 + (i % 8) * 230,
        top: 60 + math.floor(i / 8) * 330,
        faces: [],
      })),
    );
    const white = await sharp({ create: { ...FRAME, channels: 3, background: '#f4f4f0' } })
      .png()
      .toBuffer();
    frames.push(await frame('no-face-digits', 'no face', white, pieces));
  }
  frames.push(await frame('no-face-grey', 'no face', await background(''), []));
  return frames;
}

export const COLLAGE_SIZES = [3, 4, 5, 6, 7, 8];

/** The whole set: wide shots, collages, crowds and frames without faces, all 1920x1080 JPEGs. */
export async function faceTestSet(testData: string): Promise<FaceTestFrame[]> {
  const facesFolder = join(testData, 'faces');
  const photos = await loadPhotos(facesFolder);
  const collages: FaceTestFrame[] = [];
  for (const perRow of COLLAGE_SIZES) collages.push(await collage(photos, perRow));
  return [
    ...(await wideShots(photos, facesFolder, seeded(1))),
    ...collages,
    ...(await crowds(photos, facesFolder, seeded(2))),
    ...(await noFaceFrames(facesFolder, join(testData, 'digits'))),
  ];
}

/** One collage of the set alone: group photos `perRow` to a row (faces about 180 / perRow px wide). */
export async function faceCollage(
  testData: string,
  perRow: (typeof COLLAGE_SIZES)[number],
): Promise<FaceTestFrame> {
  return collage(await loadPhotos(join(testData, 'faces')), perRow);
}

export function overlapArea(a: Box, b: Box): number {
  const width = math.min(a.x + a.width, b.x + b.width) - math.max(a.x, b.x);
  const height = math.min(a.y + a.height, b.y + b.height) - math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

export function intersectionOverUnion(a: Box, b: Box): number {
  const shared = overlapArea(a, b);
  return shared / (a.width * a.height + b.width * b.height - shared);
}
