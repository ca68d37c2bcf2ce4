import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { BlobStore, JobStore } from '@aim/store';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';

const SWEEP_NAME = 'engine.retention.sweep';
const BATCH = 500;

/** Removes finished jobs, their events and files once they are older than the retention time. */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionSweeper.name);

  constructor(
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
    private readonly store: JobStore,
    private readonly blobs: BlobStore,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const timer = setInterval(() => void this.sweep(), this.options.retentionSweepMs);
    timer.unref();
    this.scheduler.addInterval(SWEEP_NAME, timer);
  }

  onApplicationShutdown(): void {
    if (this.scheduler.doesExist('interval', SWEEP_NAME)) this.scheduler.deleteInterval(SWEEP_NAME);
  }

  /** Answers how many jobs were removed. */
  async sweep(now = Date.now()): Promise<number> {
    const before = new Date(now - this.options.retentionMs).toISOString();
    let removed = 0;
    try {
      for (;;) {
        const ids = await this.store.listJobsFinishedBefore(before, BATCH);
        for (const id of ids) {
          await this.blobs.deletePrefix(`jobs/${id}`);
          await this.store.deleteJob(id);
        }
        removed += ids.length;
        if (ids.length < BATCH) break;
      }
    } catch (error) {
      this.logger.error(`retention sweep stopped: ${(error as Error).message}`);
    }
    if (removed) this.logger.log(`removed ${removed} job(s) finished before ${before}`);
    return removed;
  }
}
