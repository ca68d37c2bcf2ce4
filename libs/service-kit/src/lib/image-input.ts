import sharp, { Metadata } from 'sharp';
import { ErrorCode, MarketplaceError } from '@aim/contracts';

export type ImageFormat = 'jpeg' | 'png' | 'webp';

export interface ImageHeader {
  format: ImageFormat;
  /** Upright size, EXIF orientation applied. */
  width: number;
  height: number;
  hasAlpha: boolean;
}

const FORMATS: Record<string, ImageFormat> = { jpeg: 'jpeg', png: 'png', webp: 'webp' };

/** Reads an image's header only; refuses what is not a JPEG, PNG or WebP, or has more pixels than allowed. */
export async function readImageHeader(data: Buffer, maxPixels: number): Promise<ImageHeader> {
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
  };
}

export interface RgbImage {
  /** width × height × 3 bytes, row by row. */
  pixels: Buffer;
  width: number;
  height: number;
}

/** Decodes an image, upright, to 8-bit RGB (alpha dropped): what the models take. */
export async function decodeRgb(data: Buffer, maxPixels: number): Promise<RgbImage> {
  await readImageHeader(data, maxPixels);
  try {
    const { data: pixels, info } = await sharp(data, { limitInputPixels: maxPixels, failOn: 'error' })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { pixels, width: info.width, height: info.height };
  } catch (error) {
    throw new MarketplaceError(ErrorCode.InvalidImage, `the image could not be decoded: ${(error as Error).message}`);
  }
}
