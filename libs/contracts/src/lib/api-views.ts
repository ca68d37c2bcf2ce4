import { Problem } from './errors';
import { Job, JobStatus, JobStep, StepRun } from './job';
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

export interface StepRunView extends Omit<StepRun, 'outputs'> {
  outputs?: Record<string, ArtifactView>;
}

export interface JobStepView extends StepRunView, Pick<JobStep, 'id' | 'service' | 'task'> {
  items?: StepRunView[];
}

/** A job as the API shows it: without its pipeline snapshot and request fingerprint; files as links. */
export interface JobView extends Omit<Job, 'pipeline' | 'requestHash' | 'idempotencyKey' | 'owner' | 'inputs' | 'outputs' | 'steps'> {
  inputs: Record<string, ArtifactView>;
  outputs: Record<string, ArtifactView | ArtifactView[]>;
  steps: JobStepView[];
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
