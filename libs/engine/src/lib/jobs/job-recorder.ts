import { Inject, Injectable, Logger } from '@nestjs/common';
import { Subject } from 'rxjs';
import { Job, JobEvent } from '@aim/contracts';
import { Fence, JobStore, LeaseLostError } from '@aim/store';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';

export type EventSpec = Omit<JobEvent, 'jobId' | 'seq' | 'at' | 'status'>;

/**
 * The one place job changes go through: numbers the events, writes job and events to the store in one
 * transaction, and only then announces them. The store may commit a moment later (SQLite commits the
 * writes of one event-loop turn together): `settled` lets a reader of the job in memory wait until what
 * it would read is stored.
 *
 * It also keeps the leases of the jobs this replica holds: a job is created under this replica's lease
 * and every write of it carries the lease's fence, so that once another replica has taken the job over
 * (this one stalled past its lease) the store refuses this one's writes with LeaseLostError.
 */
@Injectable()
export class JobRecorder {
  private readonly logger = new Logger(JobRecorder.name);
  readonly events = new Subject<JobEvent>();
  /** The last write asked for, per job, until it is committed (or failed); writes of a job commit in order. */
  private readonly writing = new Map<string, Promise<void>>();
  private readonly fences = new Map<string, Fence>();

  constructor(
    private readonly store: JobStore,
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
  ) {}

  async create(job: Job): Promise<{ created: boolean; job: Job }> {
    const events = this.number(job, [{ type: 'job.created' }]);
    const result = await this.store.createJob(job, events, { owner: this.options.replicaId, leaseMs: this.options.leaseMs });
    if (result.created) {
      if (result.lease) this.hold(job.id, result.lease);
      events.forEach((event) => this.events.next(event));
    }
    return result;
  }

  async commit(job: Job, changes: EventSpec[]): Promise<void> {
    // A job this replica no longer holds (released, or taken over) is never written, fenced or not.
    const fence = this.fences.get(job.id);
    if (!fence) throw new LeaseLostError(job.id);
    const events = this.number(job, changes);
    // Known as on its way before the store is even asked: from here on the job in memory is ahead of the store.
    let committed!: () => void;
    const write = new Promise<void>((resolve) => (committed = resolve));
    this.writing.set(job.id, write);
    try {
      await this.store.saveJob(job, events, fence);
    } finally {
      committed();
      if (this.writing.get(job.id) === write) this.writing.delete(job.id);
    }
    events.forEach((event) => this.events.next(event));
  }

  /** Resolves once no write of the job is on its way to the store: the job in memory is then the stored one. */
  async settled(jobId: string): Promise<void> {
    for (let write = this.writing.get(jobId); write; write = this.writing.get(jobId)) await write;
  }

  /** Holds a job claimed from the store under `fence`. */
  hold(jobId: string, fence: Fence): void {
    this.fences.set(jobId, { owner: fence.owner, token: fence.token });
  }

  /** The jobs this replica holds, with their fences: what it renews. */
  held(): (Fence & { jobId: string })[] {
    return [...this.fences].map(([jobId, fence]) => ({ jobId, ...fence }));
  }

  fenceOf(jobId: string): Fence | undefined {
    return this.fences.get(jobId);
  }

  /** A lease another replica took: forgotten without a word to the store. */
  forget(jobId: string): void {
    this.fences.delete(jobId);
  }

  /** Gives a job up once nothing is left to do for it here, after its last write; any replica may claim it. */
  async release(jobId: string): Promise<void> {
    const fence = this.fences.get(jobId);
    if (!fence) return;
    this.fences.delete(jobId);
    await this.settled(jobId);
    // Not released (the store is down): the lease runs out by itself.
    await this.store.releaseJob(jobId, fence).catch((error: unknown) => this.logger.warn(`job ${jobId} not released, its lease will run out: ${(error as Error).message}`));
  }

  /** Gives every held job up (a replica that stops): another replica, or this one restarted, goes on at once. */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.fences.keys()].map((jobId) => this.release(jobId)));
  }

  private number(job: Job, changes: EventSpec[]): JobEvent[] {
    const at = new Date().toISOString();
    job.updatedAt = at;
    return changes.map((change) => ({ ...change, jobId: job.id, seq: ++job.seq, at, status: job.status }));
  }
}
