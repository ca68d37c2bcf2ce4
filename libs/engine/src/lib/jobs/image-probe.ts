import sharp, { Metadata } from 'sharp';
import { ErrorCode, ImageInfo, MarketplaceError } from '@aim/contracts';

export interface ProbedImage {
  contentType: string;
  /** The header, for the services (JPEG, PNG and WebP only). */
  info?: ImageInfo;
}

const PASSED_ON = new Set(['jpeg', 'png', 'webp']);

const CONTENT_TYPES: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', tiff: 'image/tiff', avif: 'image/avif', heif: 'image/heif', svg: 'image/svg+xml' };

/**
 * Reads an upload's header to learn what it really is (the client's content type is not trusted) and
 * refuses non-images and images over the pixel limit before anything is stored.
 */
export async function probeImage(data: Buffer, maxPixels: number, input: string): Promise<ProbedImage> {
  if (data.length === 0) throw new MarketplaceError(ErrorCode.InvalidImage, `input "${input}" is empty; upload an image file`);
  let metadata: Metadata;
  try {
    metadata = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw new MarketplaceError(ErrorCode.InvalidImage, `input "${input}" is not an image that can be read; upload a JPEG, PNG or WebP file`);
  }
  const contentType = CONTENT_TYPES[metadata.format ?? ''] ?? `image/${metadata.format}`;
  const { width = 0, height = 0 } = metadata;
  if (width * height > maxPixels) {
    throw new MarketplaceError(
      ErrorCode.ImageTooLarge,
      `input "${input}" is ${width}x${height} = ${width * height} pixels, over the limit of ${maxPixels}; scale it down and try again`,
    );
  }
  const swapped = (metadata.orientation ?? 1) >= 5;
  const info = PASSED_ON.has(metadata.format ?? '')
    ? { format: metadata.format!, width: swapped ? height : width, height: swapped ? width : height, hasAlpha: metadata.hasAlpha ?? false, orientation: metadata.orientation ?? 1 }
    : undefined;
  return { contentType, info };
}
