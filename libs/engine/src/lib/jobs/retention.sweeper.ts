import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { BlobStore } from '@aim/blob-store';
import { JobStore } from '@aim/store';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';

const SWEEP_NAME = 'engine.retention.sweep';
const BATCH = 500;

/**
 * Removes finished jobs, their events and files once they are older than the retention time; at start,
 * before any submit can arrive, removes what a crash left behind (half-written files, files of jobs that
 * were never stored).
 */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionSweeper.name);

  constructor(
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
    private readonly store: JobStore,
    private readonly blobs: BlobStore,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweepLeftovers().catch((error) => this.logger.error(`leftover files not swept: ${(error as Error).message}`));
    const timer = setInterval(() => void this.sweep(), this.options.retentionSweepMs);
    timer.unref();
    this.scheduler.addInterval(SWEEP_NAME, timer);
  }

  onApplicationShutdown(): void {
    if (this.scheduler.doesExist('interval', SWEEP_NAME)) this.scheduler.deleteInterval(SWEEP_NAME);
  }

  /** Answers how many half-written files and folders of unknown jobs were removed. */
  async sweepLeftovers(): Promise<{ temporaryFiles: number; orphanJobFolders: number }> {
    const temporaryFiles = await this.blobs.sweepTemporaryFiles();
    let orphanJobFolders = 0;
    for (const id of await this.blobs.listFolders('jobs')) {
      if (await this.store.hasJob(id)) continue;
      await this.blobs.deletePrefix(`jobs/${id}`);
      orphanJobFolders++;
    }
    if (temporaryFiles || orphanJobFolders) {
      this.logger.log(`removed ${temporaryFiles} half-written file(s) and the files of ${orphanJobFolders} job(s) that were never stored`);
    }
    return { temporaryFiles, orphanJobFolders };
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
