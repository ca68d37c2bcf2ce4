import sharp, { Metadata } from 'sharp';
import { ErrorCode, MarketplaceError } from '@aim/contracts';
import { parseImageHeader } from '@aim/service-kit';

const CONTENT_TYPES: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', tiff: 'image/tiff', avif: 'image/avif', heif: 'image/heif', svg: 'image/svg+xml' };

/**
 * Reads an upload's header to learn what it really is (the client's content type is not trusted) and
 * refuses non-images and images over the pixel limit before anything is stored; answers the content
 * type. JPEG, PNG and WebP headers are read in JavaScript; anything else goes to sharp. The decoders
 * still enforce the pixel limit on what they decode.
 */
export async function probeImage(data: Buffer, maxPixels: number, input: string): Promise<string> {
  if (data.length === 0) throw new MarketplaceError(ErrorCode.InvalidImage, `input "${input}" is empty; upload an image file`);
  const { format, width, height } = parseImageHeader(data) ?? (await readWithSharp(data, input));
  if (width * height > maxPixels) {
    throw new MarketplaceError(
      ErrorCode.ImageTooLarge,
      `input "${input}" is ${width}x${height} = ${width * height} pixels, over the limit of ${maxPixels}; scale it down and try again`,
    );
  }
  return CONTENT_TYPES[format] ?? `image/${format}`;
}

async function readWithSharp(data: Buffer, input: string): Promise<{ format: string; width: number; height: number }> {
  let metadata: Metadata;
  try {
    metadata = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw new MarketplaceError(ErrorCode.InvalidImage, `input "${input}" is not an image that can be read; upload a JPEG, PNG or WebP file`);
  }
  return { format: metadata.format ?? 'unknown', width: metadata.width ?? 0, height: metadata.height ?? 0 };
}
