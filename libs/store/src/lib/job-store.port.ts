import { Job, JobEvent, JobListFilter, JobPage, JobStatus, PipelineDefinition } from '@aim/contracts';

export interface StoredPipeline {
  definition: PipelineDefinition;
  builtIn: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Who holds a job, and the fencing token of that claim (raised by every claim of the job). */
export interface Fence {
  owner: string;
  token: number;
}

/** A claim on a job: its holder's fence, and when it runs out unless renewed (epoch ms). */
export interface JobLease extends Fence {
  expiresAt: number;
}

/** Take the new job's lease at once, for this owner (the replica that created it runs it). */
export interface LeaseRequest {
  owner: string;
  leaseMs: number;
}

export interface ClaimedJob {
  job: Job;
  lease: JobLease;
  /** Someone asked to cancel the job before this claim. */
  cancelRequested: boolean;
}

export interface RenewResult {
  /** Jobs whose lease this holder no longer has (claimed by another, released, or deleted). */
  lost: string[];
  /** Jobs still held for which a cancel was asked. */
  cancelRequested: string[];
}

/** A write under a lease that is no longer the writer's: another replica holds the job now. */
export class LeaseLostError extends Error {
  constructor(readonly jobId: string) {
    super(`the lease on job ${jobId} is held by another replica now`);
    this.name = 'LeaseLostError';
  }
}

export type CreateJobResult = { created: true; job: Job; lease?: JobLease } | { created: false; job: Job; lease?: undefined };

/**
 * Where jobs, their events and pipelines are kept. Every state change of a job is written here, with
 * the events that announce it, before anyone is told.
 */
export abstract class JobStore {
  /**
   * Inserts the job (held by `lease.owner` when a lease is asked for); when its idempotency key is taken,
   * answers the job that holds it instead.
   */
  abstract createJob(job: Job, events: JobEvent[], lease?: LeaseRequest): Promise<CreateJobResult>;
  /**
   * Replaces the job and appends its events, atomically. The job is taken as it is when this is called
   * (the runner goes on changing the object), and the writes of one job commit in the order they were
   * asked for, without waiting for each other: the JobRecorder numbers events in memory and relies on it.
   * Events describe the change: when every event
   * names a for-each item (`item`), only those items changed, and an adapter may write just them (and
   * the rest of the job); with any other event, or none, everything is written. With a fence, the write
   * is refused with LeaseLostError unless the fence is still the job's (owner and token).
   */
  abstract saveJob(job: Job, events: JobEvent[], fence?: Fence): Promise<void>;
  abstract getJob(id: string): Promise<Job | undefined>;
  /** Whether a job is stored, without reading it (the start-up sweep asks this of every folder of files). */
  abstract hasJob(id: string): Promise<boolean>;
  abstract findJobByIdempotencyKey(key: string): Promise<Job | undefined>;
  abstract listJobs(filter: JobListFilter): Promise<JobPage>;
  abstract listEvents(jobId: string, afterSeq: number): Promise<JobEvent[]>;
  abstract deleteJob(id: string): Promise<boolean>;
  /** Ids of finished jobs whose `finishedAt` is before the given time, oldest first. */
  abstract listJobsFinishedBefore(before: string, limit: number): Promise<string[]>;
  abstract countJobsByStatus(): Promise<Record<JobStatus, number>>;
  /** Jobs queued or running, whichever replica holds them: what the active-job limit counts. */
  abstract countUnfinishedJobs(): Promise<number>;

  /**
   * Claims, atomically, up to `limit` jobs that need a holder and have none: queued or running, or
   * finished with a webhook still pending; never claimed, released, or whose lease ran out. Oldest
   * first. Each claim raises the job's fencing token, so the writes of a holder that lost it are refused.
   */
  abstract claimJobs(owner: string, leaseMs: number, limit: number): Promise<ClaimedJob[]>;
  /** Extends the leases still held by these fences by `leaseMs` from now; tells which were lost and which jobs were asked to cancel. */
  abstract renewLeases(fences: (Fence & { jobId: string })[], leaseMs: number): Promise<RenewResult>;
  /** Gives a held job up: any replica may claim it at once (if it still needs a holder). */
  abstract releaseJob(jobId: string, fence: Fence): Promise<void>;
  /** Asks whoever holds the job, now or next, to cancel it; false when there is no such job. */
  abstract requestCancel(jobId: string): Promise<boolean>;

  abstract savePipeline(pipeline: StoredPipeline): Promise<void>;
  abstract getPipeline(id: string): Promise<StoredPipeline | undefined>;
  abstract listPipelines(): Promise<StoredPipeline[]>;
  abstract deletePipeline(id: string): Promise<boolean>;

  abstract close(): Promise<void>;
}
