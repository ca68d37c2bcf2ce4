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

/** PNG chunks that describe only the pixels: anything else (text, EXIF, time, ICC profile, animation) is metadata. */
const PNG_PIXEL_CHUNKS = new Set(['IHDR', 'PLTE', 'tRNS', 'IDAT', 'IEND', 'sRGB', 'pHYs']);

/**
 * Whether the file holds nothing but its pixels: no EXIF, XMP, ICC profile, comment or text that an
 * encoder would drop (sharp strips metadata), and no animation. Answers true ("may carry some") whenever
 * the file is not read to its end without doubt, so that a caller that passes bytes through unchanged
 * only does so when re-encoding would have removed nothing.
 */
export function carriesMetadata(bytes: Uint8Array, format: ImageFormat): boolean {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'png') return pngCarriesMetadata(data);
  if (format === 'jpeg') return jpegCarriesMetadata(data);
  // A simple WebP (one VP8 or VP8L chunk) has no room for metadata; the extended one (VP8X) may.
  const chunk = data.length >= 16 ? data.toString('latin1', 12, 16) : '';
  return !(chunk === 'VP8 ' || chunk === 'VP8L') || data.length < 20 || data.readUInt32LE(16) + 20 + (data.readUInt32LE(16) & 1) !== data.length;
}

function pngCarriesMetadata(data: Buffer): boolean {
  for (let offset = 8; offset + 12 <= data.length; ) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    if (!PNG_PIXEL_CHUNKS.has(type)) return true;
    if (type === 'IEND') return offset + 12 !== data.length;
    offset += 12 + length;
  }
  return true;
}

/**
 * A JPEG's segments before its image data: only a plain JFIF header (APP0 without a thumbnail, which could
 * show a part since cropped away), tables and frame headers are pixels; nothing may follow the end marker.
 */
function jpegCarriesMetadata(data: Buffer): boolean {
  const n = data.length;
  if (n < 4 || data[0] !== 0xff || data[1] !== 0xd8 || data[n - 2] !== 0xff || data[n - 1] !== 0xd9) return true;
  for (let offset = 2; offset + 4 <= n; ) {
    if (data[offset] !== 0xff) return true;
    const marker = data[offset + 1];
    if (marker === 0xda) return false; // start of scan: only entropy-coded data and restart markers follow
    const plainJfif = marker === 0xe0 && data.toString('latin1', offset + 4, offset + 9) === 'JFIF\0' && data[offset + 16] === 0 && data[offset + 17] === 0;
    const tables = marker === 0xdb || marker === 0xc4 || marker === 0xdd;
    const frame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (!plainJfif && !tables && !frame) return true; // EXIF, XMP, ICC, IPTC, Adobe, comments, anything unknown
    offset += 2 + data.readUInt16BE(offset + 2);
  }
  return true;
}
