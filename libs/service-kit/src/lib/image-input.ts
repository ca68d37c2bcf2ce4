import sharp, { Metadata } from 'sharp';
import { ErrorCode, MarketplaceError } from '@aim/contracts';
import { ImageHeader, parseImageHeader } from './image-header';

export type { ImageFormat, ImageHeader } from './image-header';

/** Reads an image's header only; refuses what is not a JPEG, PNG or WebP, or has more pixels than allowed. */
export async function readImageHeader(data: Uint8Array, maxPixels: number): Promise<ImageHeader> {
  const header = parseImageHeader(data) ?? (await readWithSharp(data));
  if (header.width * header.height > maxPixels) {
    throw new MarketplaceError(
      ErrorCode.ImageTooLarge,
      `the image has ${header.width}x${header.height} pixels, more than the limit of ${maxPixels}; scale it down first`,
    );
  }
  return header;
}

/** The header as sharp reads it, for what the JavaScript reader leaves to it. */
async function readWithSharp(data: Uint8Array): Promise<ImageHeader> {
  let metadata: Metadata;
  try {
    metadata = await sharp(data, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new MarketplaceError(ErrorCode.InvalidImage, `the input is not a readable image: ${(error as Error).message}`);
  }
  const format = metadata.format === 'jpeg' || metadata.format === 'png' || metadata.format === 'webp' ? metadata.format : undefined;
  if (!format || !metadata.width || !metadata.height) {
    throw new MarketplaceError(ErrorCode.UnsupportedMediaType, `images must be JPEG, PNG or WebP, not ${metadata.format ?? 'unknown'}`);
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
export async function decodeRgb(data: Uint8Array, maxPixels: number, maxSide?: number): Promise<RgbImage> {
  const header = await readImageHeader(data, maxPixels);
  try {
    let pipeline = sharp(data, { limitInputPixels: maxPixels, failOn: 'error' }).rotate();
    if (maxSide && Math.max(header.width, header.height) > maxSide) pipeline = pipeline.resize(maxSide, maxSide, { fit: 'inside' });
    const { data: pixels, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { pixels, width: info.width, height: info.height, scale: info.width / header.width };
  } catch (error) {
    throw new MarketplaceError(ErrorCode.InvalidImage, `the image could not be decoded: ${(error as Error).message}`);
  }
}
