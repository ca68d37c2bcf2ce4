import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import { Job, JobEvent } from '@aim/contracts';
import { JobStore } from '@aim/store';

export type EventSpec = Omit<JobEvent, 'jobId' | 'seq' | 'at' | 'status'>;

/**
 * The one place job changes go through: numbers the events, writes job and events to the store in one
 * transaction, and only then announces them. The store may commit a moment later (SQLite commits the
 * writes of one event-loop turn together): `settled` lets a reader of the job in memory wait until what
 * it would read is stored.
 */
@Injectable()
export class JobRecorder {
  readonly events = new Subject<JobEvent>();
  /** The last write asked for, per job, until it is committed (or failed); writes of a job commit in order. */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(private readonly store: JobStore) {}

  async create(job: Job): Promise<{ created: boolean; job: Job }> {
    const events = this.number(job, [{ type: 'job.created' }]);
    const result = await this.store.createJob(job, events);
    if (result.created) events.forEach((event) => this.events.next(event));
    return result;
  }

  async commit(job: Job, changes: EventSpec[]): Promise<void> {
    const events = this.number(job, changes);
    // Known as on its way before the store is even asked: from here on the job in memory is ahead of the store.
    let committed!: () => void;
    const write = new Promise<void>((resolve) => (committed = resolve));
    this.writing.set(job.id, write);
    try {
      await this.store.saveJob(job, events);
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

  private number(job: Job, changes: EventSpec[]): JobEvent[] {
    const at = new Date().toISOString();
    job.updatedAt = at;
    return changes.map((change) => ({ ...change, jobId: job.id, seq: ++job.seq, at, status: job.status }));
  }
}
