import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { carriesMetadata, parseImageHeader } from './image-header';

const PHOTO = readFileSync(join(__dirname, '../../../../testdata/faces/sample1.jpg'));

/** What sharp itself reads: the JavaScript header reader must agree with it on every kind of file. */
async function sharpInfo(data: Buffer) {
  const { format, width = 0, height = 0, hasAlpha = false, orientation = 1 } = await sharp(data).metadata();
  const swapped = orientation >= 5;
  return { format, width: swapped ? height : width, height: swapped ? width : height, hasAlpha, orientation };
}

describe('reading image headers without sharp', () => {
  it('reads what sharp reads, for JPEG (with EXIF orientation), PNG and WebP, with and without alpha', async () => {
    const small = sharp(PHOTO).resize(97, 61);
    const translucent = sharp(PHOTO).resize(97, 61).ensureAlpha(0.5);
    const files = {
      jpeg: await small.clone().jpeg().toBuffer(),
      jpegRotated: await small.clone().jpeg().withMetadata({ orientation: 6 }).toBuffer(),
      png: await small.clone().png().toBuffer(),
      pngAlpha: await translucent.clone().png().toBuffer(),
      pngPalette: await translucent.clone().png({ palette: true }).toBuffer(),
      pngGreyAlpha: await translucent.clone().greyscale().png().toBuffer(),
      webp: await small.clone().webp().toBuffer(),
      webpAlpha: await translucent.clone().webp().toBuffer(),
      webpLossless: await small.clone().webp({ lossless: true }).toBuffer(),
      webpLosslessAlpha: await translucent.clone().webp({ lossless: true }).toBuffer(),
      photo: PHOTO,
    };
    for (const [name, data] of Object.entries(files)) expect([name, parseImageHeader(data)]).toEqual([name, await sharpInfo(data)]);
  });

  it('answers nothing (sharp decides) for other formats and for what does not parse', async () => {
    const gif = await sharp(PHOTO).resize(20, 20).gif().toBuffer();
    expect(parseImageHeader(gif)).toBeUndefined();
    expect(parseImageHeader(Buffer.from('not an image at all, just text'))).toBeUndefined();
    expect(parseImageHeader(PHOTO.subarray(0, 10))).toBeUndefined();
    const png = await sharp(PHOTO).resize(20, 20).png().toBuffer();
    expect(parseImageHeader(png.subarray(0, 30))).toBeUndefined();
  });

  it('tells files that hold only pixels from those with metadata, and doubts anything it cannot read to the end', async () => {
    const small = sharp(PHOTO).resize(40, 30);
    const [jpeg, png, webp, lossless] = await Promise.all([small.clone().jpeg().toBuffer(), small.clone().png().toBuffer(), small.clone().webp().toBuffer(), small.clone().webp({ lossless: true }).toBuffer()]);
    expect([carriesMetadata(jpeg, 'jpeg'), carriesMetadata(png, 'png'), carriesMetadata(webp, 'webp'), carriesMetadata(lossless, 'webp')]).toEqual([false, false, false, false]);
    const metadata = {
      exif: await small.clone().withExif({ IFD0: { Artist: 'a person' } }).jpeg().toBuffer(),
      icc: await small.clone().withIccProfile('p3').jpeg().toBuffer(),
      orientation: await small.clone().withMetadata({ orientation: 3 }).png().toBuffer(),
      webpExif: await small.clone().withExif({ IFD0: { Artist: 'a person' } }).webp().toBuffer(),
    };
    expect([carriesMetadata(metadata.exif, 'jpeg'), carriesMetadata(metadata.icc, 'jpeg'), carriesMetadata(metadata.orientation, 'png'), carriesMetadata(metadata.webpExif, 'webp')]).toEqual([true, true, true, true]);
    // Bytes after the end, a cut file, a JFIF header carrying its own thumbnail.
    expect(carriesMetadata(Buffer.concat([jpeg, Buffer.from('PK hidden archive')]), 'jpeg')).toBe(true);
    expect(carriesMetadata(Buffer.concat([png, Buffer.from('tail')]), 'png')).toBe(true);
    expect(carriesMetadata(png.subarray(0, png.length - 12), 'png')).toBe(true);
    expect(carriesMetadata(webp.subarray(0, webp.length - 2), 'webp')).toBe(true);
    const jfif = (thumbnail: number) =>
      Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe0, 0, 16 + 3 * thumbnail]), Buffer.from('JFIF\0'), Buffer.from([1, 1, 0, 0, 1, 0, 1, thumbnail, thumbnail]), Buffer.alloc(3 * thumbnail, 0x80), jpeg.subarray(2)]);
    expect([carriesMetadata(jfif(0), 'jpeg'), carriesMetadata(jfif(1), 'jpeg')]).toEqual([false, true]);
  });
});
