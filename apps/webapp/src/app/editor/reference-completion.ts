import type { PipelineDefinition } from '@aim/contracts';

/** A string in the pipeline's JSON that holds a reference, with the caret inside it. */
export interface ReferenceSpot {
  /** The step whose input it is; undefined for one of the pipeline's outputs. */
  step?: number;
  /** The input (or output) it feeds. */
  name: string;
  /** Offset of the string's first character (after its opening quote). */
  start: number;
  /** Offset just past its last character: its closing quote, or the end of the line when it has none yet. */
  end: number;
  /** What is typed between its start and the caret. */
  typed: string;
  /** Whether the string is closed on its line. */
  closed: boolean;
}

/** What each task takes and makes, by `service.task`. */
export type TaskPorts = Map<string, { inputs: string[]; outputs: string[] }>;

type Frame = { kind: 'object'; key?: string; expectingKey: boolean } | { kind: 'array'; index: number };

/**
 * Where the caret is, when it is inside the string value of a step's input (`steps[n].inputs.x`) or of a
 * pipeline output (`outputs.x`). Reads only up to the caret, so the text after it may be anything: the
 * person is typing, the JSON is seldom complete.
 */
export function referenceSpotAt(text: string, caret: number): ReferenceSpot | undefined {
  const stack: Frame[] = [];
  let i = 0;
  while (i < caret) {
    const char = text[i];
    const top = stack.at(-1);
    if (char === '"') {
      const start = i + 1;
      let j = start;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      const closed = text[j] === '"';
      if (caret <= j) {
        if (top?.kind === 'object' && top.expectingKey) return undefined;
        return spotAt(stack, { start, end: j, typed: text.slice(start, caret), closed });
      }
      if (top?.kind === 'object' && top.expectingKey) top.key = text.slice(start, j);
      i = closed ? j + 1 : j;
      continue;
    }
    if (char === '{') stack.push({ kind: 'object', expectingKey: true });
    else if (char === '[') stack.push({ kind: 'array', index: 0 });
    else if (char === '}' || char === ']') stack.pop();
    else if (char === ':' && top?.kind === 'object') top.expectingKey = false;
    else if (char === ',' && top?.kind === 'object') Object.assign(top, { expectingKey: true, key: undefined });
    else if (char === ',' && top?.kind === 'array') top.index++;
    i++;
  }
  return undefined;
}

function spotAt(stack: Frame[], where: Omit<ReferenceSpot, 'step' | 'name'>): ReferenceSpot | undefined {
  const path = stack.map((frame) => (frame.kind === 'object' ? frame.key : frame.index));
  if (path.length === 4 && path[0] === 'steps' && typeof path[1] === 'number' && path[2] === 'inputs' && typeof path[3] === 'string') {
    return { step: path[1], name: path[3], ...where };
  }
  if (path.length === 2 && path[0] === 'outputs' && typeof path[1] === 'string') return { name: path[1], ...where };
  return undefined;
}

/**
 * The references that may go at a spot, those starting with what is typed: the pipeline's inputs and
 * the outputs of the steps before (for a step's input), or of every step (for a pipeline output).
 * Those of the same name as the input come first.
 */
export function referenceSuggestions(definition: Partial<PipelineDefinition>, spot: ReferenceSpot, ports: TaskPorts, limit = 12): string[] {
  const steps = Array.isArray(definition.steps) ? definition.steps : [];
  const before = spot.step === undefined ? steps : steps.slice(0, spot.step);
  const candidates = [
    ...(spot.step === undefined ? [] : Object.keys(definition.inputs ?? {}).map((name) => ({ reference: `inputs.${name}`, name }))),
    ...before.flatMap((step) => (ports.get(`${step?.service}.${step?.task}`)?.outputs ?? []).map((name) => ({ reference: `${step.id}.${name}`, name }))),
  ];
  return candidates
    .filter((candidate) => candidate.reference.startsWith(spot.typed) && candidate.reference !== spot.typed)
    .sort((a, b) => Number(b.name === spot.name) - Number(a.name === spot.name))
    .map((candidate) => candidate.reference)
    .slice(0, limit);
}

/** The text with the spot's string set to the reference (and closed), and the caret just after it. */
export function applyReference(text: string, spot: ReferenceSpot, reference: string): { text: string; caret: number } {
  const rest = spot.closed ? text.slice(spot.end) : `"${text.slice(spot.end)}`;
  return { text: text.slice(0, spot.start) + reference + rest, caret: spot.start + reference.length + 1 };
}
