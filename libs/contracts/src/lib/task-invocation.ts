import type { ArtifactRef } from './job';

/** A value as a task handler sees it: bytes with a content type, or a JSON value. */
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

/**
 * A call of a service task as it crosses from the engine to the service, in one process or over a
 * broker. Files travel by reference: an input is a blob key in the BlobStore both sides share (or a
 * JSON value); the service stores its file outputs there itself and answers their keys.
 */
export interface TaskRequest {
  service: string;
  task: string;
  inputs: Record<string, ArtifactRef>;
  params: Record<string, unknown>;
  /** Where the service stores its file outputs: output `name` goes to `<outputPrefix>/<name>`. */
  outputPrefix: string;
}

export interface TaskResult {
  /** Files as blob keys (an output that is an input unchanged keeps the input's key), JSON as values. */
  outputs: Record<string, ArtifactRef>;
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
