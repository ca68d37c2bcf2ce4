import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toMnist } from '@aim/digit-recognition';
import { readImageHeader } from '@aim/service-kit';
import { DigitStyle, FONT_FAMILIES, FontFace, fontFaces, renderDigit, STYLES } from './font-digits';
import { Digit } from './mnist-split';
import { seededRandom } from './seeded-random';

/** A font-rendered digit as the service sees it (after its own preprocessing), with where it came from. */
export interface FontDigit extends Digit {
  family: string;
  style: DigitStyle;
  /** The picture itself, when asked for (`keepPictures`). */
  png?: Buffer;
}

const MAX_PIXELS = 4_000_000;

/**
 * `count` digits from the faces of `families`: labels 0-9 in turn, every style in turn, a face and the
 * rest drawn from `seed`. `part`/`parts` generate every parts-th of them (for processes sharing the work);
 * the same (families, count, seed) always gives the same digits.
 */
export async function fontDigits(families: string[], count: number, seed: number, part = 0, parts = 1, keepPictures = false): Promise<FontDigit[]> {
  const faces = fontFaces(families);
  const out: FontDigit[] = [];
  for (let i = part; i < count; i += parts) {
    const random = seededRandom(seed * 1_000_003 + i);
    const label = i % 10;
    const style = STYLES[Math.floor(i / 10) % STYLES.length];
    const face = faces[Math.floor(random() * faces.length)];
    const { pixels, png } = await preprocessed(face, label, style, random);
    out.push({ pixels, label, family: face.family, style, ...(keepPictures ? { png } : {}) });
  }
  return out;
}

/** Rendered, then read as the service reads an upload. */
async function preprocessed(face: FontFace, label: number, style: DigitStyle, random: () => number): Promise<{ pixels: Float32Array; png: Buffer }> {
  const png = await renderDigit(face, label, style, random);
  const mnist = await toMnist(png, await readImageHeader(png, MAX_PIXELS), MAX_PIXELS);
  return { pixels: mnist.pixels, png };
}

const RECORD = 784 + 3;

/** Digits as bytes: 784 pixels, the label, the style's index, the family's index. */
export function saveDigits(file: string, digits: FontDigit[]): void {
  const bytes = new Uint8Array(digits.length * RECORD);
  digits.forEach((digit, i) => {
    for (let p = 0; p < 784; p++) bytes[i * RECORD + p] = Math.round(digit.pixels[p] * 255);
    bytes[i * RECORD + 784] = digit.label;
    bytes[i * RECORD + 785] = STYLES.indexOf(digit.style);
    bytes[i * RECORD + 786] = FONT_FAMILIES.indexOf(digit.family);
  });
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(`${file}.part`, bytes);
  renameSync(`${file}.part`, file);
}

export function loadDigits(file: string): FontDigit[] | undefined {
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  return Array.from({ length: bytes.length / RECORD }, (_, i) => ({
    pixels: Float32Array.from(bytes.subarray(i * RECORD, i * RECORD + 784), (v) => v / 255),
    label: bytes[i * RECORD + 784],
    style: STYLES[bytes[i * RECORD + 785]],
    family: FONT_FAMILIES[bytes[i * RECORD + 786]],
  }));
}
