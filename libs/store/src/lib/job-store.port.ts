import { Job, JobEvent, JobListFilter, JobPage, JobStatus, PipelineDefinition } from '@aim/contracts';

export interface StoredPipeline {
  definition: PipelineDefinition;
  builtIn: boolean;
  createdAt: string;
  updatedAt: string;
}

export type CreateJobResult = { created: true; job: Job } | { created: false; job: Job };

/**
 * Where jobs, their events and pipelines are kept. Every state change of a job is written here, with
 * the events that announce it, before anyone is told.
 */
export abstract class JobStore {
  /** Inserts the job; when its idempotency key is taken, answers the job that holds it instead. */
  abstract createJob(job: Job, events: JobEvent[]): Promise<CreateJobResult>;
  /**
   * Replaces the job and appends its events, atomically. The job is taken as it is when this is called
   * (the runner goes on changing the object), and the writes of one job commit in the order they were
   * asked for, without waiting for each other: the JobRecorder numbers events in memory and relies on it.
   * Events describe the change: when every event
   * names a for-each item (`item`), only those items changed, and an adapter may write just them (and
   * the rest of the job); with any other event, or none, everything is written.
   */
  abstract saveJob(job: Job, events: JobEvent[]): Promise<void>;
  abstract getJob(id: string): Promise<Job | undefined>;
  /** Whether a job is stored, without reading it (the start-up sweep asks this of every folder of files). */
  abstract hasJob(id: string): Promise<boolean>;
  abstract findJobByIdempotencyKey(key: string): Promise<Job | undefined>;
  abstract listJobs(filter: JobListFilter): Promise<JobPage>;
  /** Jobs queued or running: what a restarted engine must resume. */
  abstract listUnfinishedJobs(): Promise<Job[]>;
  /** Finished jobs whose completion webhook is still to be delivered. */
  abstract listPendingWebhooks(): Promise<Job[]>;
  abstract listEvents(jobId: string, afterSeq: number): Promise<JobEvent[]>;
  abstract deleteJob(id: string): Promise<boolean>;
  /** Ids of finished jobs whose `finishedAt` is before the given time, oldest first. */
  abstract listJobsFinishedBefore(before: string, limit: number): Promise<string[]>;
  abstract countJobsByStatus(): Promise<Record<JobStatus, number>>;

  abstract savePipeline(pipeline: StoredPipeline): Promise<void>;
  abstract getPipeline(id: string): Promise<StoredPipeline | undefined>;
  abstract listPipelines(): Promise<StoredPipeline[]>;
  abstract deletePipeline(id: string): Promise<boolean>;

  abstract close(): Promise<void>;
}
