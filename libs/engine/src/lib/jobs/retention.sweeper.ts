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

  private leftovers?: NodeJS.Timeout;

  async onApplicationBootstrap(): Promise<void> {
    const grace = this.options.leftoverGraceMs;
    if (grace === 0) {
      await this.sweepLeftovers().catch((error) => this.logger.error(`leftover files not swept: ${(error as Error).message}`));
    } else {
      // Replicas may share the store: the folders of jobs unknown now are swept only if still unknown once
      // the grace has passed (a submit under way on another replica stores its files before its job).
      const unknown = await this.unknownJobFolders().catch(() => new Set<string>());
      this.leftovers = setTimeout(() => void this.sweepLeftovers(unknown).catch((error) => this.logger.error(`leftover files not swept: ${(error as Error).message}`)), grace);
      this.leftovers.unref();
    }
    const timer = setInterval(() => void this.sweep(), this.options.retentionSweepMs);
    timer.unref();
    this.scheduler.addInterval(SWEEP_NAME, timer);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.leftovers);
    if (this.scheduler.doesExist('interval', SWEEP_NAME)) this.scheduler.deleteInterval(SWEEP_NAME);
  }

  private async unknownJobFolders(): Promise<Set<string>> {
    const unknown = new Set<string>();
    for (const id of await this.blobs.listFolders('jobs')) if (!(await this.store.hasJob(id))) unknown.add(id);
    return unknown;
  }

  /**
   * Removes half-written files untouched for the grace, and the folders of jobs that are not stored
   * (among `candidates`, those unknown a grace ago, when given); answers how many of each were removed.
   */
  async sweepLeftovers(candidates?: Set<string>): Promise<{ temporaryFiles: number; orphanJobFolders: number }> {
    const temporaryFiles = await this.blobs.sweepTemporaryFiles(this.options.leftoverGraceMs);
    let orphanJobFolders = 0;
    for (const id of await this.unknownJobFolders()) {
      if (candidates && !candidates.has(id)) continue;
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
