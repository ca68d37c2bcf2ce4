import { Jimp } from 'jimp';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp, { Sharp } from 'sharp';
import { Artifact } from '@aim/contracts';
import { ImageProcessingService } from '@aim/image-processing';
import { FolderBlobStore } from '@aim/blob-store';
import { DirectTaskCaller, ServiceHost } from '@aim/service-kit';
import { fixed, medianTime, table } from './stats';

type JimpImage = Awaited<ReturnType<typeof Jimp.read>>;

interface Case {
  task: string;
  params: Record<string, unknown>;
  raw: (image: Sharp) => Sharp;
  jimp: (image: JimpImage) => unknown;
}

const CASES: Case[] = [
  { task: 'resize', params: { width: 640 }, raw: (i) => i.resize({ width: 640, fit: 'inside' }), jimp: (i) => i.resize({ w: 640 }) },
  { task: 'crop', params: { region: { x: 400, y: 200, width: 800, height: 600 } }, raw: (i) => i.extract({ left: 400, top: 200, width: 800, height: 600 }), jimp: (i) => i.crop({ x: 400, y: 200, w: 800, h: 600 }) },
  { task: 'greyscale', params: {}, raw: (i) => i.greyscale(), jimp: (i) => i.greyscale() },
  { task: 'rotate', params: { angle: 90 }, raw: (i) => i.rotate(90), jimp: (i) => i.rotate(90) },
  { task: 'flip', params: { direction: 'horizontal' }, raw: (i) => i.flop(), jimp: (i) => i.flip({ horizontal: true, vertical: false }) },
  { task: 'adjust', params: { brightness: 1.2, contrast: 1.1 }, raw: (i) => i.modulate({ brightness: 1.2 }).linear(1.1, 128 * (1 - 1.1)), jimp: (i) => i.brightness(1.2).contrast(0.1) },
  { task: 'blur', params: { sigma: 5 }, raw: (i) => i.blur(5), jimp: (i) => i.gaussian(5) },
  { task: 'convert', params: { format: 'webp', quality: 80 }, raw: (i) => i.webp({ quality: 80 }), jimp: () => undefined },
];


export async function benchImages(options: { photo: string; runs: number; jimpRuns: number; jimpBlur: boolean }): Promise<void> {
  const jpeg = await sharp(readFileSync(options.photo)).resize(1920, 1080, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer();
  const folder = mkdtempSync(join(tmpdir(), 'aim-bench-images-'));
  const blobs = new FolderBlobStore(folder);
  const caller = new DirectTaskCaller(new ServiceHost(new ImageProcessingService({ maxInputPixels: 40_000_000 }), { concurrency: 1, queueLimit: 0 }, blobs), blobs);
  console.log(`\n## Image processing: 1920x1080 JPEG (${jpeg.length} bytes) in, decode + operation + encode, median of ${options.runs} runs (jimp: ${options.jimpRuns})`);
  const rows: (string | number)[][] = [['task', 'service ms', 'raw sharp ms', 'service / sharp', 'jimp ms', 'jimp / sharp']];
  await medianTime(5, () => sharp(jpeg).resize(640).jpeg().toBuffer()); // warm-up
  for (const benchCase of CASES) {
    const inputs: Record<string, Artifact> = { image: { contentType: 'image/jpeg', data: jpeg } };
    const format = benchCase.task === 'convert' ? 'webp' : 'jpeg';
    const raw = await medianTime(options.runs, () => benchCase.raw(sharp(jpeg)).toFormat(format).toBuffer());
    const service = await medianTime(options.runs, () => caller.call(benchCase.task, inputs, benchCase.params));
    let jimp = '-';
    const skipJimp = benchCase.task === 'convert' || (benchCase.task === 'blur' && !options.jimpBlur);
    if (!skipJimp) {
      const runs = benchCase.task === 'blur' ? 1 : options.jimpRuns;
      jimp = fixed(
        await medianTime(runs, async () => {
          const image = await Jimp.read(jpeg);
          benchCase.jimp(image);
          await image.getBuffer('image/jpeg');
        }),
        0,
      );
    }
    rows.push([benchCase.task, fixed(service, 1), fixed(raw, 1), fixed(service / raw), jimp, jimp === '-' ? '-' : fixed(Number(jimp) / raw, 1)]);
    console.log(`  ${benchCase.task} done`);
  }
  console.log(table(rows));
  rmSync(folder, { recursive: true, force: true });
  if (!options.jimpBlur) console.log('jimp blur skipped (it takes about a minute); run with --jimp-blur to include it');
}
