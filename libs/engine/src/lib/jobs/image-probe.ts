import { imageSize } from 'image-size';
import sharp, { Metadata } from 'sharp';
import { ErrorCode, ImageInfo, MarketplaceError } from '@aim/contracts';

export interface ProbedImage {
  contentType: string;
  /** The header, for the services (JPEG, PNG and WebP only). */
  info?: ImageInfo;
}

const CONTENT_TYPES: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', tiff: 'image/tiff', avif: 'image/avif', heif: 'image/heif', svg: 'image/svg+xml' };
const PASSED_ON = new Set(['jpeg', 'png', 'webp']);
const FAST_FORMATS: Record<string, string> = { jpg: 'jpeg', png: 'png', webp: 'webp' };

/**
 * Reads an upload's header to learn what it really is (the client's content type is not trusted) and
 * refuses non-images and images over the pixel limit before anything is stored. JPEG, PNG and WebP
 * headers are read in JavaScript (a call into sharp costs more than the whole read); anything else, or
 * a header that does not parse cleanly, goes to sharp. The decoder still enforces the pixel limit.
 */
export async function probeImage(data: Buffer, maxPixels: number, input: string): Promise<ProbedImage> {
  if (data.length === 0) throw new MarketplaceError(ErrorCode.InvalidImage, `input "${input}" is empty; upload an image file`);
  const info = readHeader(data) ?? (await readWithSharp(data, input));
  if (info.width * info.height > maxPixels) {
    throw new MarketplaceError(
      ErrorCode.ImageTooLarge,
      `input "${input}" is ${info.width}x${info.height} = ${info.width * info.height} pixels, over the limit of ${maxPixels}; scale it down and try again`,
    );
  }
  return { contentType: CONTENT_TYPES[info.format] ?? `image/${info.format}`, info: PASSED_ON.has(info.format) ? info : undefined };
}

async function readWithSharp(data: Buffer, input: string): Promise<ImageInfo> {
  let metadata: Metadata;
  try {
    metadata = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw new MarketplaceError(ErrorCode.InvalidImage, `input "${input}" is not an image that can be read; upload a JPEG, PNG or WebP file`);
  }
  const { width = 0, height = 0, orientation = 1 } = metadata;
  const swapped = orientation >= 5;
  return { format: metadata.format ?? 'unknown', width: swapped ? height : width, height: swapped ? width : height, hasAlpha: metadata.hasAlpha ?? false, orientation };
}

/** The header of a JPEG, PNG or WebP, as sharp would read it; undefined when in any doubt. */
export function readHeader(data: Buffer): ImageInfo | undefined {
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(data);
  } catch {
    return undefined;
  }
  const format = FAST_FORMATS[size.type ?? ''];
  if (!format || !size.width || !size.height || size.images) return undefined;
  const hasAlpha = format === 'jpeg' ? false : format === 'png' ? pngHasAlpha(data) : webpHasAlpha(data);
  if (hasAlpha === undefined) return undefined;
  const orientation = size.orientation ?? 1;
  const swapped = orientation >= 5;
  return { format, width: swapped ? size.height : size.width, height: swapped ? size.width : size.height, hasAlpha, orientation };
}

/** A PNG has alpha with colour type 4 or 6, or a tRNS chunk before its image data. */
function pngHasAlpha(data: Buffer): boolean | undefined {
  if (data.length < 33) return undefined;
  const colourType = data[25];
  if (colourType === 4 || colourType === 6) return true;
  for (let offset = 8; offset + 8 <= data.length; ) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    if (type === 'tRNS') return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    offset += 12 + length;
  }
  return undefined;
}

/** A WebP has alpha when its extended header says so, or its lossless header does; a plain lossy one never. */
function webpHasAlpha(data: Buffer): boolean | undefined {
  if (data.length < 30) return undefined;
  const chunk = data.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') return false;
  if (chunk === 'VP8X') return (data[20] & 0x10) !== 0;
  if (chunk === 'VP8L' && data[20] === 0x2f) return ((data.readUInt32LE(21) >>> 28) & 1) === 1;
  return undefined;
}
