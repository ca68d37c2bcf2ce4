/**
 * A random small affine change of a 28x28 digit (rotation, scale, shear, shift), bilinear: the
 * variation a photo keeps after preprocessing has centred and scaled it.
 */
export function augment(pixels: Float32Array, random: () => number): Float32Array {
  const angle = (random() - 0.5) * 0.4; // ±11.5°
  const scale = 0.88 + random() * 0.24;
  const shear = (random() - 0.5) * 0.3;
  const dx = (random() - 0.5) * 4;
  const dy = (random() - 0.5) * 4;
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const cx = x - 13.5 - dx;
      const cy = y - 13.5 - dy;
      const sx = cos * cx + sin * cy + shear * cy + 13.5;
      const sy = -sin * cx + cos * cy + 13.5;
      out[y * 28 + x] = sample(pixels, sx, sy);
    }
  }
  return out;
}

function sample(pixels: Float32Array, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (px: number, py: number) => (px < 0 || py < 0 || px > 27 || py > 27 ? 0 : pixels[py * 28 + px]);
  return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
}
