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
  return { ...header, pipeline: sharp(data, { limitInputPixels: maxPixels, failOn: 'error' }).rotate() };
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

/** Blurs each region in place: the regions are cut from the upright image, blurred and laid back. */
export async function blurRegions(image: DecodedImage, regions: Region[], sigma: number): Promise<Sharp> {
  const clipped = regions
    .map((region) => clipRegion(region, image.width, image.height))
    .filter((region): region is Region => region !== undefined);
  if (clipped.length === 0) return image.pipeline;
  const { data, info } = await image.pipeline.raw().toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };
  const hasAlpha = info.channels === 2 || info.channels === 4;
  const patches = await Promise.all(
    clipped.map(async (region) => {
      const blurred = {
        input: await sharp(data, { raw })
          .extract({ left: region.x, top: region.y, width: region.width, height: region.height })
          .blur(sigma)
          .raw()
          .toBuffer(),
        raw: { width: region.width, height: region.height, channels: info.channels },
        left: region.x,
        top: region.y,
      };
      if (!hasAlpha) return [blurred];
      // Laid over the region as it is, a semi-transparent blurred patch would let the sharp pixels
      // underneath show through: the region is cleared first ('dest-out' with an opaque shape).
      const clear = {
        input: { create: { width: region.width, height: region.height, channels: 4 as const, background: { r: 0, g: 0, b: 0, alpha: 1 } } },
        left: region.x,
        top: region.y,
        blend: 'dest-out' as const,
      };
      return [clear, blurred];
    }),
  );
  return sharp(data, { raw }).composite(patches.flat());
}

export function boxesOverlay(boxes: LabelledBox[], width: number, height: number, lineWidth: number): Buffer {
  const fontSize = Math.max(12, Math.round(Math.min(width, height) / 40));
  const shapes = boxes.map((box) => {
    const color = box.color ?? '#ffcc00';
    const label = box.label
      ? `<rect x="${box.x}" y="${Math.max(0, box.y - fontSize - 6)}" width="${Math.ceil(box.label.length * fontSize * 0.6) + 8}" height="${fontSize + 6}" fill="${color}"/>` +
        `<text x="${box.x + 4}" y="${Math.max(fontSize, box.y - 5)}" font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" fill="#000">${escapeXml(box.label)}</text>`
      : '';
    return `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" fill="none" stroke="${color}" stroke-width="${lineWidth}"/>${label}`;
  });
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
