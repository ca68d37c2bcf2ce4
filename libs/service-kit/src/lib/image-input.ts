import sharp, { Metadata } from 'sharp';
import { ErrorCode, ImageInfo, MarketplaceError } from '@aim/contracts';

export type ImageFormat = 'jpeg' | 'png' | 'webp';

export interface ImageHeader {
  format: ImageFormat;
  /** Upright size, EXIF orientation applied. */
  width: number;
  height: number;
  hasAlpha: boolean;
  /** EXIF orientation, 1 (upright) when absent. */
  orientation: number;
}

const FORMATS: Record<string, ImageFormat> = { jpeg: 'jpeg', png: 'png', webp: 'webp' };

/**
 * Reads an image's header only; refuses what is not a JPEG, PNG or WebP, or has more pixels than allowed.
 * `known` is the header the engine read from these bytes at upload: then nothing is read again.
 */
export async function readImageHeader(data: Uint8Array, maxPixels: number, known?: ImageInfo): Promise<ImageHeader> {
  if (known && FORMATS[known.format] && known.width * known.height <= maxPixels) return { ...known, format: FORMATS[known.format] };
  let metadata: Metadata;
  try {
    metadata = await sharp(data, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new MarketplaceError(ErrorCode.InvalidImage, `the input is not a readable image: ${(error as Error).message}`);
  }
  const format = FORMATS[metadata.format ?? ''];
  if (!format || !metadata.width || !metadata.height) {
    throw new MarketplaceError(ErrorCode.UnsupportedMediaType, `images must be JPEG, PNG or WebP, not ${metadata.format ?? 'unknown'}`);
  }
  if (metadata.width * metadata.height > maxPixels) {
    throw new MarketplaceError(
      ErrorCode.ImageTooLarge,
      `the image has ${metadata.width}x${metadata.height} pixels, more than the limit of ${maxPixels}; scale it down first`,
    );
  }
  const swapped = (metadata.orientation ?? 1) >= 5;
  return {
    format,
    width: swapped ? metadata.height : metadata.width,
    height: swapped ? metadata.width : metadata.height,
    hasAlpha: metadata.hasAlpha ?? false,
    orientation: metadata.orientation ?? 1,
  };
}

export interface RgbImage {
  /** width × height × 3 bytes, row by row. */
  pixels: Buffer;
  width: number;
  height: number;
  /** decoded size / original size (1 unless `maxSide` shrank it): divide coordinates by it. */
  scale: number;
}

/**
 * Decodes an image, upright, to 8-bit RGB (alpha dropped): what the models take. With `maxSide`, a
 * larger image is shrunk while decoding (JPEG shrink-on-load makes that cheaper than a full decode).
 */
export async function decodeRgb(data: Uint8Array, maxPixels: number, maxSide?: number, known?: ImageInfo): Promise<RgbImage> {
  const header = await readImageHeader(data, maxPixels, known);
  try {
    let pipeline = sharp(data, { limitInputPixels: maxPixels, failOn: 'error' }).rotate();
    if (maxSide && Math.max(header.width, header.height) > maxSide) pipeline = pipeline.resize(maxSide, maxSide, { fit: 'inside' });
    const { data: pixels, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { pixels, width: info.width, height: info.height, scale: info.width / header.width };
  } catch (error) {
    throw new MarketplaceError(ErrorCode.InvalidImage, `the image could not be decoded: ${(error as Error).message}`);
  }
}
