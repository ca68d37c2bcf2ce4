import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';
import sharp from 'sharp';

/** `Math` as a module constant: in Jest's vm context (Node 20.20) each lookup of a global costs about 40
 * times more, which made the hot loops below 40 times slower in the tests than in the product. */
const math = Math;

/**
 * Digits rendered from fonts (the `@fontsource/*` packages), in the styles people write and print them:
 * training data beyond MNIST's hands, and a test set of font families never trained on.
 */

/** Handwriting-like families. */
const HAND = [
  'annie-use-your-telescope', 'architects-daughter', 'bad-script', 'caveat', 'caveat-brush', 'cedarville-cursive', 'chilanka', 'comic-neue',
  'covered-by-your-grace', 'dancing-script', 'delicious-handrawn', 'delius', 'gaegu', 'gloria-hallelujah', 'gochi-hand', 'handlee',
  'homemade-apple', 'indie-flower', 'itim', 'kalam', 'mansalva', 'nanum-pen-script', 'neucha', 'patrick-hand', 'permanent-marker',
  'playpen-sans', 'reenie-beanie', 'rock-salt', 'schoolbell', 'shadows-into-light', 'shantell-sans', 'short-stack', 'sue-ellen-francisco',
  'swanky-and-moo-moo', 'the-girl-next-door', 'yomogi',
];
/** Print families: sans, serif, slab, mono, condensed, display, pixel, stencil, typewriter, sketch. */
const PRINT = [
  'abril-fatface', 'anton', 'archivo-black', 'arvo', 'barlow-condensed', 'bebas-neue', 'bitter', 'cabin-sketch', 'comfortaa',
  'cormorant-garamond', 'courier-prime', 'crimson-text', 'dm-sans', 'dm-serif-display', 'eb-garamond', 'exo-2', 'fira-sans',
  'fredericka-the-great', 'ibm-plex-mono', 'inter', 'jetbrains-mono', 'josefin-sans', 'lato', 'libre-baskerville', 'lora', 'merriweather',
  'montserrat', 'nunito', 'open-sans', 'orbitron', 'oswald', 'pixelify-sans', 'playfair-display', 'poppins', 'pt-serif', 'quicksand',
  'rajdhani', 'raleway', 'roboto', 'roboto-slab', 'saira-stencil-one', 'source-code-pro', 'space-mono', 'special-elite', 'teko', 'ubuntu',
  'varela-round', 'vt323', 'work-sans', 'zilla-slab',
];
/** Script (joined-up) families. */
const SCRIPT = ['allura', 'cookie', 'courgette', 'great-vibes', 'kaushan-script', 'lobster', 'marck-script', 'pacifico', 'sacramento', 'satisfy', 'yellowtail'];

export const FONT_FAMILIES = [...HAND, ...PRINT, ...SCRIPT];

/**
 * Never trained on: the figure on these measures reading new hands and new type, not remembering fonts.
 * Ordinary ones of each kind (a family too odd for any reader would measure nothing).
 */
export const HELD_OUT_FAMILIES = ['kalam', 'patrick-hand', 'shadows-into-light', 'gochi-hand', 'architects-daughter', 'handlee', 'lato', 'merriweather', 'space-mono', 'oswald', 'nunito', 'courgette'];

/**
 * Never trained on either, and not the figure: the model's confidence is calibrated on these (with
 * MNIST digits kept out of training for it), so that it is calibrated on hands it has not seen.
 */
export const CALIBRATION_FAMILIES = ['indie-flower', 'caveat', 'schoolbell', 'neucha', 'roboto', 'pt-serif', 'source-code-pro', 'barlow-condensed', 'satisfy'];

/** The seed of the held-out families' digits (the training report and the test draw the same ones). */
export const HELD_OUT_SEED = 3;

/** The families trained on: every one but the held-out and the calibration ones. */
export const TRAINING_FAMILIES = FONT_FAMILIES.filter((family) => !HELD_OUT_FAMILIES.includes(family) && !CALIBRATION_FAMILIES.includes(family));

export const STYLES = ['plain', 'thin', 'thick', 'slanted', 'outlined', 'shadowed', 'chalk', 'coloured', 'blurred', 'noisy', 'perspective', 'off-centre', 'ruled'] as const;
export type DigitStyle = (typeof STYLES)[number];

export interface FontFace {
  family: string;
  /** A woff2 file of the family: one weight, upright or italic. */
  file: string;
}

/** The `@fontsource` folder npm installed: looked for upwards from here (the source, or the bundle in dist/). */
function fontsourceFolder(): string {
  for (let folder = __dirname; ; folder = dirname(folder)) {
    const candidate = join(folder, 'node_modules/@fontsource');
    if (existsSync(candidate)) return candidate;
    if (dirname(folder) === folder) throw new Error(`no node_modules/@fontsource above ${__dirname}: run npm ci`);
  }
}

/** Every latin face (weights, italics) of the given families, as installed by npm. */
export function fontFaces(families: string[]): FontFace[] {
  const fontsource = fontsourceFolder();
  return families.flatMap((family) => {
    const folder = join(fontsource, family, 'files');
    return readdirSync(folder)
      .filter((name) => /-latin-\d+-(normal|italic)\.woff2$/.test(name))
      .sort()
      .map((name) => ({ family, file: join(folder, name) }));
  });
}

const fonts = new Map<string, fontkit.Font>();
function fontOf(file: string): fontkit.Font {
  const known = fonts.get(file);
  if (known) return known;
  const opened = fontkit.openSync(file);
  // A .woff2 holds one font; only .ttc/.dfont files are collections.
  if (!('glyphForCodePoint' in opened)) throw new Error(`${file} is a font collection, not one font`);
  fonts.set(file, opened);
  return opened;
}

const between = (random: () => number, low: number, high: number) => low + random() * (high - low);
const pick = <T>(random: () => number, items: readonly T[]): T => items[math.floor(random() * items.length)];
const grey = (value: number) => `rgb(${value},${value},${value})`;

/** Ink and paper of a style: dark on light mostly; light chalk on a board; coloured ink on coloured paper. */
function colours(style: DigitStyle, random: () => number): { ink: string; paper: string } {
  if (style === 'chalk') return { ink: grey(math.round(between(random, 215, 250))), paper: pick(random, ['#1f3b2d', '#22262b', '#2d3a2a', '#141a1f']) };
  if (style === 'coloured') {
    return {
      ink: pick(random, ['#1d3fbf', '#b01818', '#176b2c', '#5b1f8f', '#0d6e7a', '#9a4a00']),
      paper: pick(random, ['#fff6b3', '#dcefff', '#ffe0ea', '#e3f7d8', '#f3e6d3', '#ececec']),
    };
  }
  return { ink: grey(math.round(between(random, 0, 70))), paper: grey(math.round(between(random, 215, 255))) };
}

/**
 * One digit drawn from a face in a style, as a PNG of a photo or scan of it. Deterministic for the
 * same `random` sequence.
 */
export async function renderDigit(face: FontFace, digit: number, style: DigitStyle, random: () => number): Promise<Buffer> {
  const glyph = fontOf(face.file).glyphForCodePoint(48 + digit);
  const { minX, minY, maxX, maxY } = glyph.bbox;
  const width = math.round(between(random, 96, 160));
  const height = math.round(width * between(random, 0.9, 1.25));
  const { ink, paper } = colours(style, random);
  // The digit's height in the picture: smaller, and anywhere, when off-centre.
  const offCentre = style === 'off-centre';
  // Smaller under perspective: the view from an angle must not cut the digit.
  const digitHeight = height * (offCentre ? between(random, 0.25, 0.4) : style === 'perspective' ? between(random, 0.45, 0.6) : between(random, 0.5, 0.8));
  const scale = digitHeight / math.max(1, maxY - minY);
  const cx = offCentre ? between(random, 0.25, 0.75) * width : width / 2 + between(random, -0.06, 0.06) * width;
  const cy = offCentre ? between(random, 0.25, 0.75) * height : height / 2 + between(random, -0.06, 0.06) * height;
  const angle = between(random, -8, 8);
  const skew = style === 'slanted' ? between(random, -22, -10) * (random() < 0.8 ? 1 : -1) : between(random, -4, 4);
  const px = (pixels: number) => (pixels / scale).toFixed(2);
  const path = glyph.path.toSVG();
  const transform = `translate(${cx.toFixed(2)} ${cy.toFixed(2)}) rotate(${angle.toFixed(2)}) skewX(${skew.toFixed(2)}) scale(${scale.toFixed(5)} ${(-scale).toFixed(5)}) translate(${(-(minX + maxX) / 2).toFixed(1)} ${(-(minY + maxY) / 2).toFixed(1)})`;
  const strokeOf = (pixels: number, colour: string) => `stroke="${colour}" stroke-width="${px(pixels)}" stroke-linejoin="round" stroke-linecap="round"`;
  let body: string;
  switch (style) {
    case 'thin': {
      // A stroke of paper around the ink eats into it: thinner lines than the face has (less so for a light weight, or nothing would be left).
      const weight = Number(/-(\d+)-(?:normal|italic)\.woff2$/.exec(face.file)?.[1] ?? 400);
      body = `<path d="${path}" fill="${ink}" ${strokeOf(digitHeight * between(random, 0.008, 0.022) * math.min(1.5, weight / 400), paper)}/>`;
      break;
    }
    case 'thick':
      body = `<path d="${path}" fill="${ink}" ${strokeOf(digitHeight * between(random, 0.05, 0.12), ink)}/>`;
      break;
    case 'outlined':
      // Hollow lettering: two thin contours around an empty stroke.
      body = `<path d="${path}" fill="${random() < 0.3 ? paper : 'none'}" ${strokeOf(math.max(1, digitHeight * between(random, 0.012, 0.035)), ink)}/>`;
      break;
    case 'shadowed': {
      const shift = digitHeight * between(random, 0.03, 0.08);
      const shadow = grey(math.round(between(random, 110, 180)));
      body = `<path d="${path}" fill="${shadow}" transform="translate(${px(shift)} ${px(-shift)})"/><path d="${path}" fill="${ink}"/>`;
      break;
    }
    default:
      body = `<path d="${path}" fill="${ink}"/>`;
  }
  const lines =
    style === 'ruled'
      ? Array.from({ length: math.ceil(height / 24) + 1 }, (_, i) => {
          const y = (i + between(random, 0, 1)) * between(random, 18, 28);
          return `<line x1="0" x2="${width}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${pick(random, ['#9cc3e6', '#b8b8b8', '#a8d0f0'])}" stroke-width="${between(random, 0.8, 1.8).toFixed(1)}"/>`;
        }).join('') + (random() < 0.5 ? `<line x1="${(width * 0.12).toFixed(1)}" x2="${(width * 0.12).toFixed(1)}" y1="0" y2="${height}" stroke="#e88" stroke-width="1.2"/>` : '')
      : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${paper}"/>${lines}<g transform="${transform}">${body}</g></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let pixels: Uint8ClampedArray = new Uint8ClampedArray(data);
  if (style === 'perspective') pixels = perspective(pixels, info.width, info.height, random);
  if (style === 'chalk') chalk(pixels, random);
  if (style === 'noisy') noise(pixels, random, between(random, 12, 30));
  else noise(pixels, random, between(random, 0, 5));
  let image = sharp(Buffer.from(pixels), { raw: { width: info.width, height: info.height, channels: 3 } });
  if (style === 'blurred') image = image.blur(between(random, 0.8, 2.2) * (width / 120));
  return image.png({ compressionLevel: 1 }).toBuffer();
}

/** Gaussian-like noise (sum of three uniforms) of the given spread on every channel. */
function noise(pixels: Uint8ClampedArray, random: () => number, spread: number): void {
  if (spread < 0.5) return;
  for (let i = 0; i < pixels.length; i++) pixels[i] = pixels[i] + (random() + random() + random() - 1.5) * spread;
}

/** Chalk on a board: the strokes lose grains (back to the board's colour, in 2x2 specks). */
function chalk(pixels: Uint8ClampedArray, random: () => number): void {
  let board = [0, 0, 0];
  let darkest = Infinity;
  for (let i = 0; i < pixels.length; i += 3) {
    const light = pixels[i] + pixels[i + 1] + pixels[i + 2];
    if (light < darkest) [darkest, board] = [light, [pixels[i], pixels[i + 1], pixels[i + 2]]];
  }
  const loss = between(random, 0.15, 0.4);
  for (let i = 0; i < pixels.length; i += 3) {
    if (random() < loss) for (let c = 0; c < 3; c++) pixels[i + c] = board[c] + (pixels[i + c] - board[c]) * random() * 0.4;
  }
}

/** A view from an angle: each corner pulled in by up to 18% of the side, bilinear, paper beyond. */
function perspective(pixels: Uint8ClampedArray, width: number, height: number, random: () => number): Uint8ClampedArray {
  const pull = () => between(random, 0, 0.18);
  // Where the corners of the output come from in the source (top-left, top-right, bottom-right, bottom-left).
  const corners = [
    [pull() * width, pull() * height],
    [width - pull() * width, pull() * height],
    [width - pull() * width, height - pull() * height],
    [pull() * width, height - pull() * height],
  ];
  const out = new Uint8ClampedArray(pixels.length);
  const at = (x: number, y: number, c: number) => pixels[(math.min(height - 1, math.max(0, y)) * width + math.min(width - 1, math.max(0, x))) * 3 + c];
  for (let y = 0; y < height; y++) {
    const v = y / (height - 1);
    for (let x = 0; x < width; x++) {
      const u = x / (width - 1);
      // Bilinear blend of the four corners: close to a perspective view for these pulls.
      const sx = (1 - v) * ((1 - u) * corners[0][0] + u * corners[1][0]) + v * ((1 - u) * corners[3][0] + u * corners[2][0]);
      const sy = (1 - u) * ((1 - v) * corners[0][1] + v * corners[3][1]) + u * ((1 - v) * corners[1][1] + v * corners[2][1]);
      const x0 = math.floor(sx);
      const y0 = math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        out[(y * width + x) * 3 + c] = (at(x0, y0, c) * (1 - fx) + at(x0 + 1, y0, c) * fx) * (1 - fy) + (at(x0, y0 + 1, c) * (1 - fx) + at(x0 + 1, y0 + 1, c) * fx) * fy;
      }
    }
  }
  return out;
}
