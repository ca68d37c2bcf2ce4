import sharp from 'sharp';

/** What makes a photo of one digit look like an MNIST digit. */
export interface MnistInput {
  /** 28×28 values in 0..1, light ink on dark, the ink in a 20×20 box centred by mass. */
  pixels: Float32Array;
  /** False when the image has no ink to speak of (a blank page). */
  inkFound: boolean;
}

const WORK_SIZE = 512;
const BOX = 80;
/** MNIST strokes are about 2.5 px in a 20 px box: 10 px in the 80 px working box. */
const TARGET_STROKE = 10;
const MIN_CONTRAST = 40;

/**
 * Grey; invert when the background is light; crop to the ink; thicken thin strokes; fit the longer
 * side in 20 px keeping the aspect ratio; centre by mass in 28×28 (as MNIST was made).
 */
export async function toMnist(data: Buffer, maxPixels: number): Promise<MnistInput> {
  const { data: grey, info } = await sharp(data, { limitInputPixels: maxPixels, failOn: 'error' })
    .rotate()
    .flatten({ background: '#ffffff' })
    .greyscale()
    .resize(WORK_SIZE, WORK_SIZE, { fit: 'inside', withoutEnlargement: true })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const background = median(borderPixels(grey, width, height));
  const ink = new Float32Array(width * height);
  const invert = background > 127;
  for (let i = 0; i < ink.length; i++) ink[i] = Math.max(0, invert ? background - grey[i] : grey[i] - background);
  const peak = percentileOf(ink, 0.999);
  if (peak < MIN_CONTRAST) return { pixels: new Float32Array(784), inkFound: false };

  const threshold = peak * 0.35;
  const box = inkBox(ink, width, height, threshold);
  if (!box) return { pixels: new Float32Array(784), inkFound: false };
  const cropped = new Uint8Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) cropped[y * box.width + x] = Math.min(255, Math.round((ink[(box.y + y) * width + box.x + x] / peak) * 255));
  }
  const scale = BOX / Math.max(box.width, box.height);
  const work = await sharp(cropped, { raw: { width: box.width, height: box.height, channels: 1 } })
    .resize(Math.max(1, Math.round(box.width * scale)), Math.max(1, Math.round(box.height * scale)), { fit: 'fill' })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const thick = thicken(work.data, work.info.width, work.info.height);
  const small = await sharp(thick, { raw: { width: work.info.width, height: work.info.height, channels: 1 } })
    .resize(Math.max(1, Math.round((work.info.width * 20) / BOX)), Math.max(1, Math.round((work.info.height * 20) / BOX)), { fit: 'fill', kernel: 'lanczos3' })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { pixels: centreByMass(small.data, small.info.width, small.info.height), inkFound: true };
}

function borderPixels(grey: Buffer, width: number, height: number): number[] {
  const values: number[] = [];
  for (let x = 0; x < width; x++) values.push(grey[x], grey[(height - 1) * width + x]);
  for (let y = 0; y < height; y++) values.push(grey[y * width], grey[y * width + width - 1]);
  return values;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function percentileOf(values: Float32Array, fraction: number): number {
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

/** The box holding the ink, ignoring rows and columns with only a stray speck. */
function inkBox(ink: Float32Array, width: number, height: number, threshold: number) {
  const rows = new Array<number>(height).fill(0);
  const columns = new Array<number>(width).fill(0);
  let total = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > threshold) {
        rows[y]++;
        columns[x]++;
        total++;
      }
    }
  }
  if (total === 0) return undefined;
  // Trim 0.5% of the ink from each side: specks of dust should not stretch the box.
  const span = (counts: number[]) => {
    const cut = total * 0.005;
    let start = 0;
    for (let sum = 0; start < counts.length && (sum += counts[start]) <= cut; ) start++;
    let end = counts.length - 1;
    for (let sum = 0; end > start && (sum += counts[end]) <= cut; ) end--;
    return [start, end];
  };
  const [top, bottom] = span(rows);
  const [left, right] = span(columns);
  return { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}

/** Median length of ink runs along rows and along columns; the smaller is about the stroke width. */
function strokeWidth(pixels: Uint8Array | Buffer, width: number, height: number): number {
  const runs = (length: number, lines: number, at: (line: number, i: number) => number) => {
    const found: number[] = [];
    for (let line = 0; line < lines; line++) {
      let run = 0;
      for (let i = 0; i <= length; i++) {
        if (i < length && at(line, i) > 127) run++;
        else if (run) {
          found.push(run);
          run = 0;
        }
      }
    }
    return found.length ? median(found) : 0;
  };
  const horizontal = runs(width, height, (y, x) => pixels[y * width + x]);
  const vertical = runs(height, width, (x, y) => pixels[y * width + x]);
  return Math.min(horizontal || vertical, vertical || horizontal);
}

/** Grows thin strokes (3×3 maximum filter) until they are about as thick as MNIST's. */
function thicken(pixels: Buffer, width: number, height: number): Buffer {
  let current = Buffer.from(pixels);
  const steps = Math.min(6, Math.max(0, Math.round((TARGET_STROKE - strokeWidth(current, width, height)) / 2)));
  for (let step = 0; step < steps; step++) {
    const next = Buffer.alloc(current.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let max = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy >= 0 && yy < height && xx >= 0 && xx < width) max = Math.max(max, current[yy * width + xx]);
          }
        }
        next[y * width + x] = max;
      }
    }
    current = next;
  }
  return current;
}

/** Places the digit in 28×28 with its centre of mass at the centre, values 0..1. */
function centreByMass(pixels: Buffer, width: number, height: number): Float32Array {
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = pixels[y * width + x];
      mass += v;
      mx += x * v;
      my += y * v;
    }
  }
  const offsetX = Math.round(14 - (mass ? mx / mass : width / 2) - 0.5);
  const offsetY = Math.round(14 - (mass ? my / mass : height / 2) - 0.5);
  const out = new Float32Array(784);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const tx = x + offsetX;
      const ty = y + offsetY;
      if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) out[ty * 28 + tx] = pixels[y * width + x] / 255;
    }
  }
  return out;
}
