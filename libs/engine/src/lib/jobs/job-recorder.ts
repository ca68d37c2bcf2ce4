import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import { Job, JobEvent } from '@aim/contracts';
import { JobStore } from '@aim/store';

export type EventSpec = Omit<JobEvent, 'jobId' | 'seq' | 'at' | 'status'>;

/**
 * The one place job changes go through: numbers the events, writes job and events to the store in one
 * transaction, and only then announces them.
 */
@Injectable()
export class JobRecorder {
  readonly events = new Subject<JobEvent>();

  constructor(private readonly store: JobStore) {}

  async create(job: Job): Promise<{ created: boolean; job: Job }> {
    const events = this.number(job, [{ type: 'job.created' }]);
    const result = await this.store.createJob(job, events);
    if (result.created) events.forEach((event) => this.events.next(event));
    return result;
  }

  async commit(job: Job, changes: EventSpec[]): Promise<void> {
    const events = this.number(job, changes);
    await this.store.saveJob(job, events);
    events.forEach((event) => this.events.next(event));
  }

  private number(job: Job, changes: EventSpec[]): JobEvent[] {
    const at = new Date().toISOString();
    job.updatedAt = at;
    return changes.map((change) => ({ ...change, jobId: job.id, seq: ++job.seq, at, status: job.status }));
  }
}
