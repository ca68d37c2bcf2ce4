import { JsonSchema } from './service-descriptor';

/**
 * A pipeline is data. References name where a value comes from:
 * - `inputs.<name>`: a pipeline input;
 * - `<stepId>.<output>`: an output of an earlier step.
 * Expressions (`when`, `forEach`, `bind`) are JSONata, evaluated against
 * `{ inputs, params, <stepId>: { <output>: value }, item, index }` where binary outputs appear as
 * `{ contentType, size }`.
 */
export interface PipelineDefinition {
  id: string;
  name: string;
  description?: string;
  tags?: string[];
  inputs: Record<string, PipelineInput>;
  /** JSON Schema of the parameters a job of this pipeline takes. */
  params?: JsonSchema;
  steps: PipelineStep[];
  /** Output name → reference (`<stepId>.<output>`). */
  outputs: Record<string, string>;
}

export interface PipelineInput {
  contentTypes: string[];
  description?: string;
}

export interface PipelineStep {
  id: string;
  service: string;
  task: string;
  /** Task input name → reference. */
  inputs: Record<string, string>;
  /** Fixed parameters, validated against the task's schema when the pipeline is saved. */
  params?: Record<string, unknown>;
  /** Parameters computed at run time: parameter name → JSONata expression. */
  bind?: Record<string, string>;
  /** JSONata expression; the step is skipped when it is false. */
  when?: string;
  /** JSONata expression giving a list; the step runs once per item (`item`, `index`). */
  forEach?: string;
  /** Per-attempt deadline; defaults to the engine's STEP_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Attempts for retryable failures; defaults to the engine's STEP_MAX_ATTEMPTS. */
  maxAttempts?: number;
}

export interface PipelineSummary {
  id: string;
  name: string;
  description?: string;
  tags: string[];
  builtIn: boolean;
  runnable: boolean;
  /** Why the pipeline cannot run now, e.g. a service without an available instance. */
  notRunnableReasons: string[];
  services: string[];
}

export const INPUTS_REF = 'inputs';

export interface ParsedReference {
  source: 'input' | 'step';
  /** The step id for step references. */
  step?: string;
  name: string;
}

export function parseReference(reference: string): ParsedReference | undefined {
  const match = /^([A-Za-z][\w-]*)\.([A-Za-z][\w-]*)$/.exec(reference);
  if (!match) return undefined;
  const [, head, name] = match;
  return head === INPUTS_REF ? { source: 'input', name } : { source: 'step', step: head, name };
}
