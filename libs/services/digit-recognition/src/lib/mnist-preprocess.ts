import sharp from 'sharp';
import { ImageHeader } from '@aim/service-kit';

/** `Math` as a module constant: in Jest's vm context (Node 20.20) each lookup of a global costs about 40
 * times more, which made the hot loops below 40 times slower in the tests than in the product. */
const math = Math;

/** What makes a photo of one digit look like an MNIST digit. */
export interface MnistInput {
  /** 28×28 values in 0..1, light ink on dark, the ink in a 20×20 box centred by mass. */
  pixels: Float32Array;
  /** False when the image has no ink to speak of (a blank page). */
  inkFound: boolean;
}

/** Enough resolution to find one digit's ink; smaller images are used as they are. */
const WORK_SIDE = 512;
/** The digit is drawn into an 80 px box, thickened there, then averaged down 4× into MNIST's 20 px. */
const BOX = 80;
/** MNIST strokes are about 2.5 px in 20: 10 px in the 80 px box. */
const TARGET_STROKE = 10;
/** Less difference than this between paper and ink (of 255) is a blank page. */
const MIN_CONTRAST = 40;
const BLANK: MnistInput = { pixels: new Float32Array(784), inkFound: false };

/**
 * Grey; invert when the background is light; crop to the ink; thicken thin strokes; fit the longer
 * side in 20 px keeping the aspect ratio; centre by mass in 28×28 (as MNIST was made).
 */
export async function toMnist(data: Uint8Array, header: ImageHeader, maxPixels: number): Promise<MnistInput> {
  // Only the steps this image needs: each libvips operation costs a little on a 5 ms budget.
  let pipeline = sharp(data, { limitInputPixels: maxPixels, failOn: 'error' });
  if (header.orientation > 1) pipeline = pipeline.rotate();
  if (header.hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' });
  if (math.max(header.width, header.height) > WORK_SIDE) pipeline = pipeline.resize(WORK_SIDE, WORK_SIDE, { fit: 'inside' });
  const { data: decoded, info } = await pipeline.greyscale().raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const grey = channels === 1 ? decoded : Buffer.from(decoded.filter((_, i) => i % channels === 0));
  const background = median(borderPixels(grey, width, height));
  const invert = background > 127;
  const inkOf = (value: number) => math.max(0, invert ? background - value : value - background);
  const histogram = new Array<number>(256).fill(0);
  for (let i = 0; i < grey.length; i++) histogram[math.round(inkOf(grey[i]))]++;
  const peak = quantile(histogram, grey.length, 0.999);
  if (peak < MIN_CONTRAST) return BLANK;
  const box = inkBox(grey, width, height, (value) => inkOf(value) > peak * 0.35);
  if (!box) return BLANK;

  const scale = BOX / math.max(box.width, box.height);
  const boxWidth = math.max(4, math.round(box.width * scale));
  const boxHeight = math.max(4, math.round(box.height * scale));
  const resized = resample(grey, width, box, boxWidth, boxHeight);
  const ink = new Uint8Array(resized.length);
  for (let i = 0; i < ink.length; i++) ink[i] = math.min(255, math.round((inkOf(resized[i]) / peak) * 255));
  const thick = thicken(ink, boxWidth, boxHeight);
  return { pixels: centreByMass(shrink4(thick, boxWidth, boxHeight)), inkFound: true };
}

/**
 * Resamples a region of a grey image to a new size: bilinear, with several samples per output pixel
 * when shrinking so that thin strokes are averaged, not skipped. Cheaper here than another sharp call.
 */
function resample(grey: Buffer, width: number, box: { x: number; y: number; width: number; height: number }, outWidth: number, outHeight: number): Float32Array {
  const out = new Float32Array(outWidth * outHeight);
  const stepX = box.width / outWidth;
  const stepY = box.height / outHeight;
  const samples = math.max(1, math.ceil(math.max(stepX, stepY)));
  const at = (x: number, y: number) => {
    const cx = math.min(box.width - 1, math.max(0, x));
    const cy = math.min(box.height - 1, math.max(0, y));
    const x0 = math.floor(cx);
    const y0 = math.floor(cy);
    const x1 = math.min(box.width - 1, x0 + 1);
    const y1 = math.min(box.height - 1, y0 + 1);
    const fx = cx - x0;
    const fy = cy - y0;
    const row0 = (box.y + y0) * width + box.x;
    const row1 = (box.y + y1) * width + box.x;
    return (grey[row0 + x0] * (1 - fx) + grey[row0 + x1] * fx) * (1 - fy) + (grey[row1 + x0] * (1 - fx) + grey[row1 + x1] * fx) * fy;
  };
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) sum += at((x + (sx + 0.5) / samples) * stepX - 0.5, (y + (sy + 0.5) / samples) * stepY - 0.5);
      }
      out[y * outWidth + x] = sum / (samples * samples);
    }
  }
  return out;
}

function borderPixels(grey: Buffer, width: number, height: number): number[] {
  const values: number[] = [];
  for (let x = 0; x < width; x++) values.push(grey[x], grey[(height - 1) * width + x]);
  for (let y = 0; y < height; y++) values.push(grey[y * width], grey[y * width + width - 1]);
  return values;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[math.floor(sorted.length / 2)];
}

function quantile(histogram: number[], count: number, fraction: number): number {
  let seen = 0;
  for (let value = 0; value < histogram.length; value++) {
    seen += histogram[value];
    if (seen > count * fraction) return value;
  }
  return histogram.length - 1;
}

/** The box holding the ink, ignoring rows and columns with only a stray speck. */
function inkBox(grey: Buffer, width: number, height: number, isInk: (value: number) => boolean) {
  const rows = new Array<number>(height).fill(0);
  const columns = new Array<number>(width).fill(0);
  let total = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (isInk(grey[y * width + x])) {
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
function strokeWidth(pixels: Uint8Array, width: number, height: number): number {
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
  return math.min(horizontal || vertical, vertical || horizontal);
}

/** Grows thin strokes (3×3 maximum filter) until they are about as thick as MNIST's. */
function thicken(pixels: Uint8Array, width: number, height: number): Uint8Array {
  let current = pixels;
  const steps = math.min(6, math.max(0, math.round((TARGET_STROKE - strokeWidth(current, width, height)) / 2)));
  for (let step = 0; step < steps; step++) {
    const next = new Uint8Array(current.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let max = 0;
        for (let yy = math.max(0, y - 1); yy <= math.min(height - 1, y + 1); yy++) {
          for (let xx = math.max(0, x - 1); xx <= math.min(width - 1, x + 1); xx++) max = math.max(max, current[yy * width + xx]);
        }
        next[y * width + x] = max;
      }
    }
    current = next;
  }
  return current;
}

/** Averages 4×4 blocks: the 80 px box becomes MNIST's 20 px one, anti-aliased. */
function shrink4(pixels: Uint8Array, width: number, height: number): { values: Float32Array; width: number; height: number } {
  const outWidth = math.max(1, math.round(width / 4));
  const outHeight = math.max(1, math.round(height / 4));
  const values = new Float32Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      let count = 0;
      for (let yy = y * 4; yy < math.min(height, y * 4 + 4); yy++) {
        for (let xx = x * 4; xx < math.min(width, x * 4 + 4); xx++) {
          sum += pixels[yy * width + xx];
          count++;
        }
      }
      values[y * outWidth + x] = count ? sum / count / 255 : 0;
    }
  }
  return { values, width: outWidth, height: outHeight };
}

/** Places the digit in 28×28 with its centre of mass at the centre. */
function centreByMass({ values, width, height }: { values: Float32Array; width: number; height: number }): Float32Array {
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x];
      mass += v;
      mx += x * v;
      my += y * v;
    }
  }
  const offsetX = math.round(14 - (mass ? mx / mass : width / 2) - 0.5);
  const offsetY = math.round(14 - (mass ? my / mass : height / 2) - 0.5);
  const out = new Float32Array(784);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const tx = x + offsetX;
      const ty = y + offsetY;
      if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) out[ty * 28 + tx] = values[y * width + x];
    }
  }
  return out;
}
