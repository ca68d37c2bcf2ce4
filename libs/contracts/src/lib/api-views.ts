import { Problem, WireError } from './errors';
import { JobStatus, StepStatus, WebhookState } from './job';
import { PipelineDefinition, PipelineSummary } from './pipeline';
import { TaskDescriptor } from './service-descriptor';

/** What the HTTP API answers: the shapes its clients (webapp, CLI, programs) read. */

export interface ApiError {
  code: string;
  message: string;
  problems?: Problem[];
}

export interface InstanceView {
  id: string;
  version: string;
  available: boolean;
  lastSeen: string;
  queueDepth: number;
  inFlight: number;
  concurrency: number;
  queueLimit: number;
  runtime?: Record<string, string>;
}

export interface ServiceView {
  name: string;
  version: string;
  summary: string;
  tags: string[];
  usesAi: boolean;
  status: 'available' | 'unavailable';
  instances: InstanceView[];
  tasks: TaskDescriptor[];
}

export interface PipelineView extends PipelineSummary {
  definition: PipelineDefinition;
  createdAt: string;
  updatedAt: string;
}

export interface ValidationResult {
  valid: boolean;
  problems: Problem[];
}

/** An input or output as shown: JSON values inline, files by type and size; outputs with their URL. */
export interface ArtifactView {
  contentType: string;
  size: number;
  value?: unknown;
  url?: string;
}

export interface StepRunView {
  status: StepStatus;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  retryAt?: string;
  instanceId?: string;
  item?: unknown;
  error?: WireError;
  outputs?: Record<string, ArtifactView>;
}

export interface JobStepView extends StepRunView {
  id: string;
  service: string;
  task: string;
  items?: StepRunView[];
}

export interface JobView {
  id: string;
  pipelineId: string;
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  params: Record<string, unknown>;
  inputs: Record<string, ArtifactView>;
  outputs: Record<string, ArtifactView | ArtifactView[]>;
  steps: JobStepView[];
  error?: WireError;
  webhook?: WebhookState;
  seq: number;
}

export interface JobPageView {
  items: JobView[];
  total: number;
  limit: number;
  offset: number;
}

export interface ServiceLoad {
  name: string;
  available: boolean;
  instances: number;
  capacity: number;
  inFlight: number;
  held: number;
}

export interface StatsView {
  jobs: Record<JobStatus, number>;
  activeJobs: number;
  services: ServiceLoad[];
  uptimeSeconds: number;
}
