import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseImageHeader } from './image-header';

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
});
