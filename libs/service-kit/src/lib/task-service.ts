import { Artifact, ServiceDescriptor } from '@aim/contracts';

export interface TaskCall {
  inputs: Record<string, Artifact>;
  /** Validated against the task's schema, with its defaults filled in. */
  params: Record<string, unknown>;
  signal: AbortSignal;
}

export type TaskHandler = (call: TaskCall) => Promise<Record<string, Artifact>>;

/** What a capability implements: its descriptor and one handler per task. Free of any transport. */
export abstract class TaskService {
  abstract readonly descriptor: ServiceDescriptor;
  abstract readonly handlers: Record<string, TaskHandler>;
  /** At most this many tasks at once, whatever the host allows (a model on one wasm thread: 1). */
  readonly maxConcurrency?: number;

  /** What the instance runs on (ML backend, model versions...), shown with its instance in the API. */
  runtime(): Record<string, string> | undefined {
    return undefined;
  }

  /** Loads models and warms up; the service is announced only after it resolves. */
  async ready(): Promise<void> {
    /* nothing to prepare by default */
  }
}
