import type { ArtifactView, JobView } from '@aim/contracts';
import { resultPictureOf, shapeOf, shortResult, thumbnailOf } from './output-shapes';

const json = (value: unknown): ArtifactView => ({ contentType: 'application/json', size: JSON.stringify(value).length, value });
const image = (url: string): ArtifactView => ({ contentType: 'image/jpeg', size: 1000, url });
const face = (x: number) => ({ box: { x, y: 0, width: 10, height: 10 }, score: 0.9 });
const digit = (value: number, confidence: number, certain?: boolean) => ({ found: true, digit: value, confidence, probabilities: Array(10).fill(0.1), ...(certain === undefined ? {} : { certain }) });

function job(outputs: Record<string, ArtifactView | ArtifactView[]>, status: JobView['status'] = 'succeeded', error?: JobView['error']): JobView {
  return { id: 'j', pipelineId: 'p', status, createdAt: '', updatedAt: '', params: {}, inputs: {}, outputs, steps: [], seq: 1, ...(error ? { error } : {}) } as JobView;
}

describe('what an output is', () => {
  it('tells images, faces (also per item of a for-each), digits and other JSON apart', () => {
    expect(shapeOf(image('/a')).kind).toBe('images');
    expect(shapeOf([image('/a'), image('/b')])).toEqual({ kind: 'images', urls: ['/a', '/b'] });
    expect(shapeOf(json([face(1), face(2)])).kind).toBe('faces');
    expect(shapeOf([json([face(1)]), json(null), json([face(2)])])).toMatchObject({ kind: 'faces', faces: [face(1), face(2)] });
    expect(shapeOf(json(digit(7, 0.9))).kind).toBe('digit');
    expect(shapeOf(json({ width: 3 })).kind).toBe('json');
  });
});

describe('the picture of a job', () => {
  it('is its output image, never its input, and not a crop of a for-each list over which faces would be drawn', () => {
    expect(resultPictureOf(job({ faces: json([face(1)]), image: image('/out') }))).toBe('/out');
    expect(resultPictureOf(job({ crops: [image('/crop0')], faces: json([]) }))).toBeUndefined();
    expect(thumbnailOf(job({ crops: [image('/crop0')], faces: json([]) }))).toBe('/crop0');
    expect(thumbnailOf(job({ report: json([face(1)]) }))).toBeUndefined();
  });
});

describe('a job in a few words', () => {
  it('counts faces, reads a digit with how sure, names images', () => {
    expect(shortResult(job({ image: image('/x'), faces: json([face(1), face(2), face(3)]) }))).toBe('image · 3 faces');
    expect(shortResult(job({ faces: json([face(1)]) }))).toBe('1 face');
    expect(shortResult(job({ crops: [image('/a'), image('/b')] }))).toBe('2 images');
    expect(shortResult(job({ reading: json(digit(7, 0.984)) }))).toBe('7 (98%)');
  });

  it('says when a digit reading is unsure: by the service, else below 60%', () => {
    expect(shortResult(job({ reading: json(digit(4, 0.328)) }))).toBe('4 (33%, unsure)');
    expect(shortResult(job({ reading: json(digit(4, 0.9, false)) }))).toBe('4 (90%, unsure)');
    expect(shortResult(job({ reading: json(digit(4, 0.5, true)) }))).toBe('4 (50%)');
    expect(shortResult(job({ reading: json({ found: false, digit: null, confidence: 0, probabilities: [] }) }))).toBe('no digit');
  });

  it('gives why a job failed, cut to fit a row, and nothing while it runs', () => {
    const long = 'x'.repeat(200);
    expect(shortResult(job({}, 'failed', { code: 'TASK_FAILED', message: long, retryable: false }))).toHaveLength(60);
    expect(shortResult(job({}, 'running'))).toBe('');
    expect(shortResult(job({ stats: json({ width: 10, height: 20 }) }))).toBe('{"width":10,"height":20}');
  });
});
