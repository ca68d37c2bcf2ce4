import { ArtifactRef, Job, JobStep, own, parseReference } from '@aim/contracts';

/** What an expression sees of an artifact: JSON values as they are, binary ones by type and size. */
export function artifactValue(ref: ArtifactRef): unknown {
  return ref.blobKey ? { contentType: ref.contentType, size: ref.size } : ref.value;
}

function stepValues(step: JobStep): Record<string, unknown> | Record<string, unknown>[] | undefined {
  if (step.status === 'skipped') return undefined;
  const values = (outputs?: Record<string, ArtifactRef>) =>
    Object.fromEntries(Object.entries(outputs ?? {}).map(([name, ref]) => [name, artifactValue(ref)]));
  if (!step.items) return values(step.outputs);
  // A for-each step reads as one object of lists: `crop.image` is the list of every item's image.
  const names = new Set(step.items.flatMap((run) => Object.keys(run.outputs ?? {})));
  return Object.fromEntries([...names].map((name) => [name, step.items!.map((run) => (own(run.outputs, name) ? artifactValue(run.outputs![name]) : undefined))]));
}

/** `{ inputs, params, <stepId>: outputs, item, index }` for the JSONata expressions of a step. */
export function expressionContext(job: Job, item?: { value: unknown; index: number }): Record<string, unknown> {
  const context: Record<string, unknown> = {
    inputs: Object.fromEntries(Object.entries(job.inputs).map(([name, ref]) => [name, artifactValue(ref)])),
    params: job.params,
  };
  for (const step of job.steps) context[step.id] = stepValues(step);
  if (item) {
    context['item'] = item.value;
    context['index'] = item.index;
  }
  return context;
}

/**
 * The artifact a reference points at, for a run. A for-each run reading another for-each step takes
 * the item of the same index; anything else reading a for-each step gets the whole list.
 */
export function resolveReference(job: Job, reference: string, index?: number): ArtifactRef | ArtifactRef[] | undefined {
  const parsed = parseReference(reference);
  if (!parsed) return undefined;
  if (parsed.source === 'input') return own(job.inputs, parsed.name);
  const step = job.steps.find((s) => s.id === parsed.step);
  if (!step || step.status === 'skipped') return undefined;
  if (!step.items) return own(step.outputs, parsed.name);
  if (index !== undefined) return own(step.items[index]?.outputs, parsed.name);
  return step.items.map((run) => own(run.outputs, parsed.name)).filter((ref): ref is ArtifactRef => ref !== undefined);
}
