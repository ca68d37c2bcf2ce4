import sharp, { Sharp } from 'sharp';
import { ErrorCode, MarketplaceError } from '@aim/contracts';
import { ImageFormat, ImageHeader, readImageHeader } from '@aim/service-kit';

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LabelledBox extends Region {
  label?: string;
  color?: string;
}

export interface DecodedImage extends ImageHeader {
  pipeline: Sharp;
}

/** Opens an image, upright (EXIF orientation applied), under the pixel limit; refuses what is not an image. */
export async function decode(data: Uint8Array, maxPixels: number): Promise<DecodedImage> {
  const header = await readImageHeader(data, maxPixels);
  let pipeline: Sharp | undefined;
  // Made when first asked for: a task that changes nothing never builds one.
  return { ...header, get pipeline() { return (pipeline ??= sharp(data, { limitInputPixels: maxPixels, failOn: 'error' }).rotate()); } };
}

export async function encode(image: Sharp, format: ImageFormat, quality?: number): Promise<Buffer> {
  try {
    return await image.toFormat(format, quality ? { quality } : {}).toBuffer();
  } catch (error) {
    throw new MarketplaceError(ErrorCode.InvalidImage, `the image could not be processed: ${(error as Error).message}`);
  }
}

/** Rounds a region to whole pixels and clips it to the image; undefined when nothing is left. */
export function clipRegion(region: Region, width: number, height: number, padding = 0): Region | undefined {
  const padX = region.width * padding;
  const padY = region.height * padding;
  const left = Math.max(0, Math.floor(region.x - padX));
  const top = Math.max(0, Math.floor(region.y - padY));
  const right = Math.min(width, Math.ceil(region.x + region.width + padX));
  const bottom = Math.min(height, Math.ceil(region.y + region.height + padY));
  if (right <= left || bottom <= top) return undefined;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * Blurs each region in place: the upright image is decoded once and each region's pixels (every channel,
 * alpha included, so nothing sharp shows through) are overwritten with blurred ones. Memory stays within
 * about two images whatever the regions: many or large regions are cut from one blur of the whole
 * image; a few small ones are blurred one at a time.
 */
export async function blurRegions(image: DecodedImage, regions: Region[], sigma: number, padding = 0): Promise<Sharp> {
  const clipped = regions
    .map((region) => clipRegion(region, image.width, image.height, padding))
    .filter((region): region is Region => region !== undefined);
  if (clipped.length === 0) return image.pipeline;
  const { data, info } = await image.pipeline.raw().toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };
  const area = clipped.reduce((sum, region) => sum + region.width * region.height, 0);
  if (area > (info.width * info.height) / 2) {
    const blurred = await sharp(data, { raw }).blur(sigma).raw().toBuffer();
    for (const region of clipped) copyRegion(blurred, info.width, { x: region.x, y: region.y }, data, region, info.width, info.channels);
  } else {
    for (const region of clipped) {
      const patch = await sharp(data, { raw })
        .extract({ left: region.x, top: region.y, width: region.width, height: region.height })
        .blur(sigma)
        .raw()
        .toBuffer();
      copyRegion(patch, region.width, { x: 0, y: 0 }, data, region, info.width, info.channels);
    }
  }
  return sharp(data, { raw });
}

/** Copies a region's rows from `source` (rows of `sourceWidth` pixels, starting at `from`) into `target`. */
function copyRegion(source: Buffer, sourceWidth: number, from: { x: number; y: number }, target: Buffer, region: Region, targetWidth: number, channels: number): void {
  const rowBytes = region.width * channels;
  for (let row = 0; row < region.height; row++) {
    const start = ((from.y + row) * sourceWidth + from.x) * channels;
    source.copy(target, ((region.y + row) * targetWidth + region.x) * channels, start, start + rowBytes);
  }
}

export function boxesOverlay(boxes: LabelledBox[], width: number, height: number, lineWidth: number): Buffer {
  const fontSize = Math.max(12, Math.round(Math.min(width, height) / 40));
  const placed: Region[] = [];
  const shapes = boxes.map((box) => {
    const color = box.color ?? '#ffcc00';
    let label = '';
    if (box.label) {
      const tag = labelPlace(box, box.label, fontSize, width, height, placed);
      placed.push(tag);
      label =
        `<rect x="${tag.x}" y="${tag.y}" width="${tag.width}" height="${tag.height}" fill="${color}"/>` +
        `<text x="${tag.x + 4}" y="${tag.y + fontSize + 1}" font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" fill="#000">${escapeXml(box.label)}</text>`;
    }
    return `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" fill="none" stroke="${color}" stroke-width="${lineWidth}"/>${label}`;
  });
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`);
}

/**
 * Where a box's label goes: above the box, else below it, else inside its top; always within the image,
 * and where no earlier label is, when there is such a place.
 */
function labelPlace(box: Region, text: string, fontSize: number, width: number, height: number, placed: Region[]): Region {
  const tagWidth = Math.min(width, Math.ceil(text.length * fontSize * 0.6) + 8);
  const tagHeight = fontSize + 6;
  const x = Math.max(0, Math.min(box.x, width - tagWidth));
  const clampY = (y: number) => Math.max(0, Math.min(y, height - tagHeight));
  const candidates = [box.y - tagHeight, box.y + box.height, box.y].map((y) => ({ x, y: clampY(y), width: tagWidth, height: tagHeight }));
  const overlaps = (a: Region, b: Region) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  return candidates.find((candidate) => !placed.some((other) => overlaps(candidate, other))) ?? candidates[0];
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
