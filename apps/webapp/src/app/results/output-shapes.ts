import type { ArtifactView, JobView } from '@aim/contracts';

/** A face as the detection and analysis services give it. */
export interface ShownFace {
  box: { x: number; y: number; width: number; height: number };
  score?: number;
  age?: number;
  gender?: { label: string; confidence: number };
  emotion?: { label: string; distribution?: Record<string, number> };
  race?: { label: string; distribution?: Record<string, number> };
}

/** A digit as the digit service reads it. */
export interface DigitReading {
  found: boolean;
  digit: number | null;
  confidence: number;
  probabilities: number[];
  /** Whether the reader is sure (the service says so, when it does). */
  certain?: boolean;
}

/** What an output is, to show it for what it is. */
export type OutputShape = { kind: 'images'; urls: string[] } | { kind: 'faces'; faces: ShownFace[] } | { kind: 'digit'; reading: DigitReading } | { kind: 'json' };

/** Below this, a reading is shown as a guess when the service does not say: a photo that is not one digit still gets a best guess. */
export const UNSURE_BELOW = 0.6;

/** One rounding rule for every number shown: whole years, whole percents, half up (as the drawn labels). */
export const years = (age: number) => String(Math.floor(age + 0.5));
export const percent = (share: number) => `${Math.floor(share * 100 + 0.5)}%`;

export function isUnsure(reading: DigitReading): boolean {
  return reading.certain === false || (reading.certain === undefined && reading.confidence < UNSURE_BELOW);
}

function isFace(value: unknown): value is ShownFace {
  return !!value && typeof value === 'object' && 'box' in value;
}

function isDigit(value: unknown): value is DigitReading {
  return !!value && typeof value === 'object' && 'probabilities' in value && 'found' in value;
}

const isImage = (item: ArtifactView) => item.contentType.startsWith('image/');
const itemsOf = (output: ArtifactView | ArtifactView[]) => (Array.isArray(output) ? output : [output]);

/** The JSON of an output (a for-each output: the list of its values); undefined for images. */
export function jsonOf(output: ArtifactView | ArtifactView[]): unknown {
  const values = itemsOf(output)
    .filter((item) => !isImage(item))
    .map((item) => item.value);
  if (!values.length) return undefined;
  return Array.isArray(output) ? values : values[0];
}

export function shapeOf(output: ArtifactView | ArtifactView[]): OutputShape {
  const items = itemsOf(output);
  if (items.every(isImage)) return { kind: 'images', urls: items.map((item) => item.url ?? '') };
  const json = jsonOf(output);
  const list = Array.isArray(json) ? json.flat().filter((value) => value !== null) : [];
  if (Array.isArray(json) && list.every(isFace)) return { kind: 'faces', faces: list };
  if (isDigit(json)) return { kind: 'digit', reading: json };
  return { kind: 'json' };
}

const outputsOf = (job: JobView) => Object.values(job.outputs) as (ArtifactView | ArtifactView[])[];

/**
 * The picture a job's results are drawn over, when the job made one: an output that is one image (not
 * a for-each list of crops). A job that blurs faces must never show the photo it was given, so where
 * there is such an output, it wins over the input.
 */
export function resultPictureOf(job: JobView): string | undefined {
  return outputsOf(job).find((output): output is ArtifactView => !Array.isArray(output) && isImage(output))?.url;
}

/** The name of the job's first image input, if it has one (its URL is the client's `inputUrl`). */
export function imageInputOf(job: JobView): string | undefined {
  return Object.entries(job.inputs).find(([, value]) => value.contentType.startsWith('image/'))?.[0];
}

/** A small picture for a list of jobs: the result picture, else the first of a list of images (crops). */
export function thumbnailOf(job: JobView): string | undefined {
  return resultPictureOf(job) ?? outputsOf(job).flatMap(itemsOf).find(isImage)?.url;
}

const SHORT = 60;
const clip = (text: string) => (text.length > SHORT ? `${text.slice(0, SHORT - 1)}…` : text);

/** A job's result in a few words, for a list: "3 faces", "7 (98%)", "image", or why it failed. */
export function shortResult(job: JobView): string {
  if (job.status === 'failed') return clip(job.error?.message ?? 'failed');
  if (job.status !== 'succeeded') return '';
  const parts = outputsOf(job).map((output) => {
    const shape = shapeOf(output);
    switch (shape.kind) {
      case 'images':
        return shape.urls.length === 1 ? 'image' : `${shape.urls.length} images`;
      case 'faces':
        return shape.faces.length === 1 ? '1 face' : `${shape.faces.length} faces`;
      case 'digit':
        if (!shape.reading.found) return 'no digit';
        return `${shape.reading.digit} (${percent(shape.reading.confidence)}${isUnsure(shape.reading) ? ', unsure' : ''})`;
      default:
        return clip(JSON.stringify(jsonOf(output)) ?? '');
    }
  });
  return clip(parts.join(' · '));
}
