import { WireError } from './errors';
import { PipelineDefinition } from './pipeline';

export const JobStatus = {
  Queued: 'queued',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = [JobStatus.Succeeded, JobStatus.Failed, JobStatus.Cancelled];

export function isTerminalJobStatus(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

export const StepStatus = {
  Pending: 'pending',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Skipped: 'skipped',
  Cancelled: 'cancelled',
} as const;
export type StepStatus = (typeof StepStatus)[keyof typeof StepStatus];

export function isTerminalStepStatus(status: StepStatus): boolean {
  return status !== StepStatus.Pending && status !== StepStatus.Running;
}

/** A stored input or output: binary values live in the blob store, JSON values inline. */
export interface ArtifactRef {
  contentType: string;
  size: number;
  blobKey?: string;
  value?: unknown;
}

/** One run of a step (or, for a for-each step, of one item). */
export interface StepRun {
  status: StepStatus;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  /** When a retry is due after a retryable failure. */
  retryAt?: string;
  instanceId?: string;
  /** For-each runs: the list item this run works on. */
  item?: unknown;
  error?: WireError;
  outputs?: Record<string, ArtifactRef>;
}

export interface JobStep extends StepRun {
  id: string;
  service: string;
  task: string;
  /** For-each steps: one run per item. */
  items?: StepRun[];
}

export interface WebhookState {
  url: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError?: string;
  nextAttemptAt?: string;
}

export interface Job {
  id: string;
  /** Who submitted it (`key:<digest>` or `browser:<digest>`): only they and admins see it. */
  owner?: string;
  pipelineId: string;
  /** The pipeline as it was when the job was submitted. */
  pipeline: PipelineDefinition;
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  params: Record<string, unknown>;
  inputs: Record<string, ArtifactRef>;
  /** A for-each step's output is a list. */
  outputs: Record<string, ArtifactRef | ArtifactRef[]>;
  steps: JobStep[];
  error?: WireError;
  idempotencyKey?: string;
  /** Fingerprint of the submitted request, to refuse a reused idempotency key with other content. */
  requestHash?: string;
  webhook?: WebhookState;
  /** Sequence number of the last event written for this job. */
  seq: number;
}

export const JobEventType = {
  Created: 'job.created',
  Started: 'job.started',
  StepStarted: 'step.started',
  StepRetrying: 'step.retrying',
  StepSucceeded: 'step.succeeded',
  StepFailed: 'step.failed',
  StepSkipped: 'step.skipped',
  Succeeded: 'job.succeeded',
  Failed: 'job.failed',
  Cancelled: 'job.cancelled',
} as const;
export type JobEventType = (typeof JobEventType)[keyof typeof JobEventType];

export interface JobEvent {
  jobId: string;
  /** 1, 2, 3... per job, in the order the changes were written. */
  seq: number;
  type: JobEventType;
  at: string;
  status: JobStatus;
  step?: string;
  item?: number;
  attempt?: number;
  error?: WireError;
}

export interface JobListFilter {
  /** Only the jobs of this owner; undefined lists everyone's (admins). */
  owner?: string;
  status?: JobStatus;
  pipelineId?: string;
  limit: number;
  offset: number;
}

export interface JobPage {
  items: Job[];
  total: number;
  limit: number;
  offset: number;
}

