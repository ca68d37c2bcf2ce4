/** A value passed to or returned by a task: bytes with a content type, or a JSON value. */
export type Artifact = BinaryArtifact | JsonArtifact;

export interface BinaryArtifact {
  contentType: string;
  /** Bytes (a Buffer in Node). */
  data: Uint8Array;
}

export interface JsonArtifact {
  contentType: 'application/json';
  value: unknown;
}

export function isJsonArtifact(artifact: Artifact): artifact is JsonArtifact {
  return artifact.contentType === 'application/json';
}

export interface TaskRequest {
  service: string;
  task: string;
  inputs: Record<string, Artifact>;
  params: Record<string, unknown>;
}

export interface TaskResult {
  outputs: Record<string, Artifact>;
  /** The instance that did the work. */
  instanceId: string;
}

export interface InvokeOptions {
  /** Aborted on cancellation or when the engine's deadline passes. */
  signal: AbortSignal;
  timeoutMs: number;
}

/**
 * How the engine reaches a service task. The local binding calls the service in-process; the remote
 * binding sends it over a transport. Both throw MarketplaceError only.
 */
export abstract class TaskInvoker {
  abstract invoke(request: TaskRequest, options: InvokeOptions): Promise<TaskResult>;
}
