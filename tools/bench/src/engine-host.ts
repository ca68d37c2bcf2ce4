import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { json } from 'express';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipelineDefinition } from '@aim/contracts';
import { DEFAULT_EXPRESSION_LIMITS, EngineModule, JobRecorder, JobSubmissionService, PipelinesService } from '@aim/engine';
import { bodyParserErrorHandler } from '@aim/http-errors';
import { LocalServicesModule } from '@aim/service-kit';
import { BlobStoreModule } from '@aim/blob-store';
import { StoreModule } from '@aim/store';
import { NoopModule, NoopService } from './noop.service';

export function chain(id: string, steps: number): PipelineDefinition {
  return {
    id,
    name: `${steps} no-op steps`,
    inputs: { data: { contentTypes: ['application/json'] } },
    steps: Array.from({ length: steps }, (_, i) => ({
      id: `s${i}`,
      service: 'noop',
      task: 'pass',
      inputs: { data: i === 0 ? 'inputs.data' : `s${i - 1}.data` },
    })),
    outputs: { data: `s${steps - 1}.data` },
  };
}

export interface EngineHost {
  app: INestApplication;
  dataDir: string;
  submissions: JobSubmissionService;
  recorder: JobRecorder;
}

/**
 * The real engine and SQLite store with the no-op service bound locally, as the marketplace wires them;
 * in a folder of its own, or as one replica among several on a shared folder.
 */
export async function startEngineHost(shared?: { dataDir: string; replicaId: string }): Promise<EngineHost> {
  const dataDir = shared?.dataDir ?? mkdtempSync(join(tmpdir(), 'aim-bench-'));
  @Module({
    imports: [
      ScheduleModule.forRoot(),
      StoreModule.register({ driver: 'sqlite', dataDir }),
      BlobStoreModule.register({ driver: 'folder', folder: join(dataDir, 'blobs') }),
      EngineModule.register({
        heartbeatIntervalMs: 5000,
        missedBeats: 3,
        serviceWaitMs: 10_000,
        stepTimeoutMs: 30_000,
        stepMaxAttempts: 3,
        retryBaseDelayMs: 500,
        maxActiveJobs: 100_000,
        maxUploadBytes: 20 * 1024 * 1024,
        submitRatePerSecond: 0,
        submitRateBurst: 1,
        maxWaitSeconds: 60,
        maxForEachItems: 1000,
        expressionLimits: DEFAULT_EXPRESSION_LIMITS,
        maxImagePixels: 40_000_000,
        retentionMs: 3600_000,
        retentionSweepMs: 3600_000,
        webhookMaxAttempts: 1,
        webhookTimeoutMs: 1000,
        webhookAllowPrivateTargets: false,
        adminKeyHashes: [],
        userKeyHashes: [],
        allowAnonymous: true,
        replicaId: shared?.replicaId ?? 'bench',
        leaseMs: 15_000,
        leftoverGraceMs: 0,
      }),
      LocalServicesModule.register({ imports: [NoopModule], services: [NoopService], concurrency: 64, queueLimit: 1024, heartbeatIntervalMs: 5000 }),
    ],
  })
  class BenchModule {}
  const app = await NestFactory.create(BenchModule, { bodyParser: false, logger: ['error', 'warn'] });
  app.use(json({ limit: '1mb' }), bodyParserErrorHandler(1024 * 1024));
  await app.init();
  const pipelines = app.get(PipelinesService);
  for (const pipeline of [chain('one-step', 1), chain('five-steps', 5)]) {
    // Replicas on one store: the first one creates them.
    if (!(await pipelines.get(pipeline.id).catch(() => undefined))) await pipelines.create(pipeline);
  }
  return { app, dataDir, submissions: app.get(JobSubmissionService), recorder: app.get(JobRecorder) };
}

/** A function that resolves when a job has finished, also when it finished before anyone asked. */
export function finishedTracker(host: EngineHost): (id: string) => Promise<void> {
  const waiters = new Map<string, () => void>();
  const settled = new Set<string>();
  host.recorder.events.subscribe((event) => {
    if (event.type === 'job.succeeded' || event.type === 'job.failed' || event.type === 'job.cancelled') {
      const resolve = waiters.get(event.jobId);
      if (resolve) {
        waiters.delete(event.jobId);
        resolve();
      } else settled.add(event.jobId);
    }
  });
  return (id: string) => (settled.delete(id) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(id, resolve)));
}
