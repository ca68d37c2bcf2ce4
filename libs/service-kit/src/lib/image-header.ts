import { imageSize } from 'image-size';

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

const FORMATS: Record<string, ImageFormat> = { jpg: 'jpeg', png: 'png', webp: 'webp' };

/**
 * The header of a JPEG, PNG or WebP read in JavaScript, as sharp would read it (a call into sharp costs
 * more than the whole read); undefined for other formats or when in any doubt, so that sharp decides.
 * Size and EXIF orientation come from image-size, alpha from the PNG colour type and tRNS chunk or the
 * WebP VP8X/VP8L header.
 */
export function parseImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(data);
  } catch {
    return undefined;
  }
  const format = FORMATS[size.type ?? ''];
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
