import { INPUTS_REF, parseReference, PipelineDefinition, PipelineStep } from '@aim/contracts';
import { PipelineExpressions } from './pipeline-expressions';

/** Names an expression may read besides step ids. */
export const CONTEXT_NAMES = new Set([INPUTS_REF, 'params', 'item', 'index']);

export function stepExpressions(step: PipelineStep): { path: string; text: string }[] {
  const found: { path: string; text: string }[] = [];
  if (step.when) found.push({ path: 'when', text: step.when });
  if (step.forEach) found.push({ path: 'forEach', text: step.forEach });
  for (const [name, text] of Object.entries(step.bind ?? {})) found.push({ path: `bind.${name}`, text });
  return found;
}

/** For each step, the steps it reads from: through its inputs and through its expressions. */
export function stepDependencies(definition: PipelineDefinition, expressions: PipelineExpressions): Map<string, Set<string>> {
  const ids = new Set(definition.steps.map((s) => s.id));
  const dependencies = new Map<string, Set<string>>();
  for (const step of definition.steps) {
    const reads = new Set<string>();
    for (const reference of Object.values(step.inputs)) {
      const parsed = parseReference(reference);
      if (parsed?.step && ids.has(parsed.step)) reads.add(parsed.step);
    }
    for (const { text } of stepExpressions(step)) {
      try {
        for (const name of expressions.rootNames(text)) if (ids.has(name)) reads.add(name);
      } catch {
        // syntax errors are reported by the validator
      }
    }
    dependencies.set(step.id, reads);
  }
  return dependencies;
}

/** Answers one cycle as a list of step ids (first repeated at the end), or undefined. */
export function findCycle(dependencies: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const next of dependencies.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of dependencies.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}
