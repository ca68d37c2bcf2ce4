import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Artifact, BinaryArtifact, MarketplaceError } from '@aim/contracts';
import { FolderBlobStore } from '@aim/blob-store';
import { DirectTaskCaller, ServiceHost } from '@aim/service-kit';
import { ImageProcessingService } from './image-processing.service';

const PHOTO = readFileSync(join(__dirname, '../../../../../testdata/faces/sample1.jpg'));

describe('image-processing service', () => {
  const folder = mkdtempSync(join(tmpdir(), 'aim-image-processing-'));
  const blobs = new FolderBlobStore(folder);
  const host = new ServiceHost(new ImageProcessingService({ maxInputPixels: 4_000_000 }), { concurrency: 2, queueLimit: 8 }, blobs);
  const caller = new DirectTaskCaller(host, blobs);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  let png: Buffer;

  beforeAll(async () => {
    png = await sharp(PHOTO).resize(480).png().toBuffer();
  });

  async function run(task: string, params: Record<string, unknown>, data: Uint8Array = png, contentType = 'image/png') {
    const inputs: Record<string, Artifact> = { image: { contentType, data } };
    const outputs = await caller.call(task, inputs, params);
    return outputs['image'] as BinaryArtifact;
  }

  /** Mean difference between neighbouring pixels inside a box, the image laid over a background: how sharp it looks. */
  async function edgeEnergy(data: Uint8Array, box: { x: number; y: number; width: number; height: number }, background: string): Promise<number> {
    const { data: grey, info } = await sharp(data).flatten({ background }).extract({ left: box.x, top: box.y, width: box.width, height: box.height }).greyscale().raw().toBuffer({ resolveWithObject: true });
    let sum = 0;
    for (let y = 0; y < info.height; y++) for (let x = 1; x < info.width; x++) sum += Math.abs(grey[y * info.width + x] - grey[y * info.width + x - 1]);
    return sum / (info.height * (info.width - 1));
  }

  async function pixels(data: Uint8Array) {
    return sharp(data).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  }

  it('resizes the real 1920x1280 photo, keeping the JPEG format and the aspect ratio', async () => {
    const out = await run('resize', { width: 320 }, PHOTO, 'image/jpeg');
    expect(out.contentType).toBe('image/jpeg');
    expect(await sharp(out.data).metadata()).toMatchObject({ width: 320, height: 213, format: 'jpeg' });
  });

  it('never enlarges unless asked, and refuses a result over the pixel limit', async () => {
    const tiny = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#824' } }).png().toBuffer();
    const dot = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#824' } }).png().toBuffer();
    expect(await sharp((await run('resize', { width: 256 }, tiny)).data).metadata()).toMatchObject({ width: 16, height: 16 });
    expect(await sharp((await run('resize', { width: 256, height: 256, fit: 'cover' }, dot)).data).metadata()).toMatchObject({ width: 1, height: 1 });
    expect(await sharp((await run('resize', { width: 256, enlarge: true }, tiny)).data).metadata()).toMatchObject({ width: 256, height: 256 });
    const huge = run('resize', { width: 16384, height: 16384, fit: 'fill', enlarge: true }, tiny);
    await expect(huge).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE', message: expect.stringContaining('over the limit of 4000000') });
    const wide = await sharp({ create: { width: 2000, height: 1900, channels: 3, background: '#824' } }).png().toBuffer();
    await expect(run('rotate', { angle: 45 }, wide)).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
    expect(await sharp((await run('rotate', { angle: 90 }, wide)).data).metadata()).toMatchObject({ width: 1900, height: 2000 });
  });

  it('answers the input file itself for a resize that changes nothing, and encodes again whatever would change', async () => {
    const tiny = await sharp({ create: { width: 16, height: 12, channels: 3, background: '#824' } }).png().toBuffer();
    const jpeg = await sharp(tiny).jpeg().toBuffer();
    const webp = await sharp(tiny).webp().toBuffer();
    for (const [data, type] of [[tiny, 'image/png'], [jpeg, 'image/jpeg'], [webp, 'image/webp']] as const) {
      for (const params of [{ width: 256 }, { height: 12 }, { width: 16, height: 100, fit: 'cover' }, { width: 20, height: 20, fit: 'fill' }]) {
        // No second file: the output is the input's key, as the engine stores it.
        await blobs.put('unchanged/inputs/image', data);
        const input = { contentType: type, size: data.length, blobKey: 'unchanged/inputs/image' };
        const result = await host.execute({ service: 'image-processing', task: 'resize', inputs: { image: input }, params, outputPrefix: 'unchanged/outputs' }, new AbortController().signal);
        expect([type, params, result.outputs['image']]).toEqual([type, params, input]);
        expect(await blobs.exists('unchanged/outputs/image')).toBe(false);
      }
    }
    // Encoded again: a smaller box, padding ('contain'), and an EXIF orientation to turn upright.
    const reencoded = async (params: Record<string, unknown>, data: Buffer = tiny, type = 'image/png') => (await run('resize', params, data, type)).data;
    expect(await sharp(await reencoded({ width: 8 })).metadata()).toMatchObject({ width: 8, height: 6 });
    expect(await sharp(await reencoded({ width: 32, height: 32, fit: 'contain' })).metadata()).toMatchObject({ width: 32, height: 32 });
    const turned = await sharp(tiny).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await sharp(await reencoded({ width: 256 }, turned, 'image/jpeg')).metadata()).toMatchObject({ width: 12, height: 16 });
  });

  it('never passes metadata through: a photo with EXIF, a PNG with text, an ICC profile are encoded again without it', async () => {
    const withExif = await sharp(PHOTO).resize(64).withExif({ IFD0: { Copyright: 'someone', Artist: 'a person' } }).jpeg().toBuffer();
    const withText = await sharp({ create: { width: 16, height: 12, channels: 3, background: '#824' } }).png().toBuffer();
    // A tEXt chunk ("Comment", "shot at home") before IEND, its CRC left to zlib's crc32.
    const { crc32 } = await import('node:zlib');
    const body = Buffer.concat([Buffer.from('tEXt'), Buffer.from('Comment\0shot at home')]);
    const chunk = Buffer.concat([Buffer.alloc(4), body, Buffer.alloc(4)]);
    chunk.writeUInt32BE(body.length - 4, 0);
    chunk.writeUInt32BE(crc32(body) >>> 0, chunk.length - 4);
    const textPng = Buffer.concat([withText.subarray(0, withText.length - 12), chunk, withText.subarray(withText.length - 12)]);
    const withIcc = await sharp(PHOTO).resize(64).withIccProfile('p3').jpeg().toBuffer();
    for (const [data, type] of [[withExif, 'image/jpeg'], [textPng, 'image/png'], [withIcc, 'image/jpeg']] as const) {
      const out = await run('resize', { width: 256 }, data, type);
      expect(out.data).not.toBe(data);
      const metadata = await sharp(out.data).metadata();
      expect([type, metadata.exif, metadata.icc, metadata.comments]).toEqual([type, undefined, undefined, undefined]);
      expect(Buffer.from(out.data).includes('shot at home')).toBe(false);
    }
  });

  it('blurs many full-image regions of a large image within about two images of memory', async () => {
    const large = await sharp({ create: { width: 1990, height: 1990, channels: 4, background: { r: 40, g: 90, b: 160, alpha: 0.8 } } }).png().toBuffer();
    const raw = 1990 * 1990 * 4;
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const out = await run('blur', { regions: Array.from({ length: 50 }, () => ({ x: 0, y: 0, width: 1990, height: 1990 })), sigma: 2 }, large);
    const growth = process.resourceUsage().maxRSS * 1024 - peakBefore;
    expect(await sharp(out.data).metadata()).toMatchObject({ width: 1990, height: 1990 });
    // One patch per region, as before, would take 50 images (about 790 MB) at once.
    expect(growth).toBeLessThan(raw * 12);
  });

  it('crops a region, grown by padding and clipped to the image', async () => {
    const out = await run('crop', { region: { x: 400, y: 250, width: 100, height: 60 }, padding: 0.5 });
    // 50 px of padding each side, clipped by the right and bottom edges of the 480x320 image
    expect(await sharp(out.data).metadata()).toMatchObject({ width: 130, height: 100 });
  });

  it('blurs only the given regions: pixels inside change, pixels outside stay', async () => {
    const box = { x: 100, y: 80, width: 120, height: 90 };
    const before = await pixels(png);
    const after = await pixels((await run('blur', { regions: [box], sigma: 8 })).data);
    const width = before.info.width;
    let changedInside = 0;
    let changedOutside = 0;
    for (let y = 0; y < before.info.height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        const differs = before.data[i] !== after.data[i] || before.data[i + 1] !== after.data[i + 1] || before.data[i + 2] !== after.data[i + 2];
        const inside = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
        if (differs && inside) changedInside++;
        if (differs && !inside) changedOutside++;
      }
    }
    expect(changedOutside).toBe(0);
    expect(changedInside / (box.width * box.height)).toBeGreaterThan(0.5);
  });

  it('grows blurred regions by padding, clamped to the image: the band around a box changes, beyond it nothing', async () => {
    const box = { x: 400, y: 20, width: 60, height: 40 }; // padding 0.5: 30 px each side, clipped at the 480 px right edge
    const before = await pixels(png);
    const after = await pixels((await run('blur', { regions: [box], sigma: 8, padding: 0.5 })).data);
    const grown = { x: 370, y: 0, width: 110, height: 80 };
    const width = before.info.width;
    let changedBand = 0;
    let changedBeyond = 0;
    for (let y = 0; y < before.info.height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        const differs = before.data[i] !== after.data[i] || before.data[i + 1] !== after.data[i + 1] || before.data[i + 2] !== after.data[i + 2];
        const inGrown = x >= grown.x && x < grown.x + grown.width && y >= grown.y && y < grown.y + grown.height;
        const inBox = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
        if (differs && inGrown && !inBox) changedBand++;
        if (differs && !inGrown) changedBeyond++;
      }
    }
    expect(changedBeyond).toBe(0);
    expect(changedBand).toBeGreaterThan((grown.width * grown.height - box.width * box.height) * 0.3);
  });

  it('blurs regions of an image with an alpha channel opaquely: no sharp pixel shows through, on any background', async () => {
    const box = { x: 100, y: 80, width: 120, height: 90 };
    for (const alpha of [0.5, 1]) {
      const translucent = await sharp(png).ensureAlpha(alpha).png().toBuffer();
      const out = (await run('blur', { regions: [box], sigma: 10 }, translucent)).data;
      expect((await sharp(out).metadata()).channels).toBe(4);
      for (const background of ['#ffffff', '#000000']) {
        const sharpness = await edgeEnergy(translucent, box, background);
        expect(await edgeEnergy(out, box, background)).toBeLessThan(sharpness * 0.3);
      }
    }
  });

  it('keeps an opaque image opaque after compositing (blurred regions, boxes)', async () => {
    for (const [task, params] of [['blur', { regions: [{ x: 10, y: 10, width: 50, height: 50 }] }], ['annotate', { boxes: [{ x: 10, y: 10, width: 50, height: 50 }] }]] as const) {
      expect((await sharp((await run(task, params)).data).metadata()).channels).toBe(3);
    }
  });

  it('rotates by 90 degrees, swapping width and height', async () => {
    const meta = await sharp(png).metadata();
    const out = await sharp((await run('rotate', { angle: 90 })).data).metadata();
    expect([out.width, out.height]).toEqual([meta.height, meta.width]);
  });

  it('flips horizontally: the first pixel becomes the last of its row', async () => {
    const before = await pixels(png);
    const after = await pixels((await run('flip', { direction: 'horizontal' })).data);
    const last = (before.info.width - 1) * 3;
    expect([...after.data.subarray(0, 3)]).toEqual([...before.data.subarray(last, last + 3)]);
  });

  it('greyscales and brightens', async () => {
    const grey = await pixels((await run('greyscale', {})).data);
    const colourful = [...Array(grey.info.width * grey.info.height).keys()].filter((p) => {
      const [r, g, b] = grey.data.subarray(p * 3, p * 3 + 3);
      return r !== g || g !== b;
    });
    expect(colourful).toHaveLength(0);
    const mean = async (data: Uint8Array) => (await sharp(data).stats()).channels[0].mean;
    expect(await mean((await run('adjust', { brightness: 1.5 })).data)).toBeGreaterThan((await mean(png)) * 1.2);
  });

  it('converts to WebP and JPEG', async () => {
    const webp = await run('convert', { format: 'webp', quality: 60 });
    expect(webp.contentType).toBe('image/webp');
    expect((await sharp(webp.data).metadata()).format).toBe('webp');
    expect((await run('convert', { format: 'jpeg' })).contentType).toBe('image/jpeg');
  });

  it('draws labelled boxes in their colour', async () => {
    const out = await run('annotate', { boxes: [{ x: 50, y: 60, width: 100, height: 80, label: 'face 1', color: '#ff0000' }], lineWidth: 4 });
    const { data, info } = await pixels(out.data);
    const i = (100 * info.width + 50) * 3; // left edge, halfway down
    expect([...data.subarray(i, i + 3)]).toEqual([255, 0, 0]);
  });

  describe('bad input', () => {
    const codeOf = async (promise: Promise<unknown>) => {
      const error = await promise.then(() => undefined, (e) => e);
      expect(error).toBeInstanceOf(MarketplaceError);
      return (error as MarketplaceError).code;
    };

    it('refuses bytes that are not an image', async () => {
      expect(await codeOf(run('greyscale', {}, Buffer.from('hello, not an image'), 'image/png'))).toBe('INVALID_IMAGE');
    });

    it('refuses a truncated image', async () => {
      expect(await codeOf(run('greyscale', {}, PHOTO.subarray(0, 2000), 'image/jpeg'))).toBe('INVALID_IMAGE');
    });

    it('refuses an image over the pixel limit, saying the limit', async () => {
      const big = await sharp({ create: { width: 2100, height: 2000, channels: 3, background: '#fff' } }).png().toBuffer();
      await expect(run('greyscale', {}, big)).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE', message: expect.stringContaining('4000000') });
    });

    it('refuses a content type the task does not take, and a GIF disguised as PNG', async () => {
      expect(await codeOf(run('greyscale', {}, png, 'image/gif'))).toBe('UNSUPPORTED_MEDIA_TYPE');
      const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).gif().toBuffer();
      expect(await codeOf(run('greyscale', {}, gif, 'image/png'))).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('refuses unknown and out-of-range parameters, naming them', async () => {
      await expect(run('resize', { width: 0, colour: 'red' })).rejects.toMatchObject({
        code: 'INVALID_PARAMETERS',
        problems: expect.arrayContaining([
          { path: 'params.colour', message: 'unknown parameter "colour"' },
          { path: 'params.width', message: 'must be >= 1' },
        ]),
      });
      await expect(run('resize', {})).rejects.toMatchObject({ code: 'INVALID_PARAMETERS' });
    });

    it('refuses a crop outside the image', async () => {
      await expect(run('crop', { region: { x: 5000, y: 5000, width: 10, height: 10 } })).rejects.toMatchObject({
        code: 'INVALID_PARAMETERS',
        message: expect.stringContaining('outside'),
      });
    });
  });
});
