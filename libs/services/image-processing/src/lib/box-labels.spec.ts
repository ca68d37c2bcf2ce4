import { boxesOverlay } from './image-operations';

/** The label tags (filled rects) an overlay draws, as numbers. */
function tags(svg: Buffer): { x: number; y: number; width: number; height: number }[] {
  return [...svg.toString().matchAll(/<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" fill="#/g)].map(([, x, y, width, height]) => ({
    x: Number(x),
    y: Number(y),
    width: Number(width),
    height: Number(height),
  }));
}

describe('labels drawn over boxes', () => {
  it('stay inside the image, also for a face at its right edge or its top', () => {
    const svg = boxesOverlay([{ x: 560, y: 2, width: 38, height: 40, label: '1. female, 31, happy, white' }], 600, 400, 2);
    const [tag] = tags(svg);
    expect(tag.x).toBeGreaterThanOrEqual(0);
    expect(tag.x + tag.width).toBeLessThanOrEqual(600);
    expect(tag.y).toBeGreaterThanOrEqual(0);
    expect(tag.y + tag.height).toBeLessThanOrEqual(400);
  });

  it('do not cover each other when faces stand side by side', () => {
    const boxes = [0, 1, 2].map((i) => ({ x: 100 + i * 60, y: 100, width: 50, height: 60, label: `${i + 1}. male, 40, neutral, white` }));
    const drawn = tags(boxesOverlay(boxes, 800, 600, 2));
    expect(drawn).toHaveLength(3);
    for (let i = 0; i < drawn.length; i++) {
      for (let j = i + 1; j < drawn.length; j++) {
        const [a, b] = [drawn[i], drawn[j]];
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect([i, j, overlap]).toEqual([i, j, false]);
      }
    }
  });
});
