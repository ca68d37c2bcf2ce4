import { randomUUID } from 'node:crypto';
import { INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ScheduleModule } from '@nestjs/schedule';
import { json } from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeartbeatPublisher, LocalServicesModule } from '@aim/service-kit';
import { BlobStoreModule } from '@aim/blob-store';
import { StoreModule } from '@aim/store';
import { EngineModule } from '../../src/lib/engine.module';
import { EngineOptions } from '../../src/lib/engine.options';
import { DEFAULT_EXPRESSION_LIMITS } from '../../src/lib/pipelines/pipeline-expressions';
import { hashApiKey } from '../../src/lib/http/caller.guard';
import { bodyParserErrorHandler } from '@aim/http-errors';
import { TestKitService } from './test-kit.service';
import { engineOpenApiDocument } from '../../src/lib/http/openapi/api-document';
import { watchApiContract } from '@aim/test-support';

export const ADMIN_KEY = 'test-admin-key-0123456789';
export const USER_KEY = 'test-user-key-0123456789';

@Module({ providers: [TestKitService], exports: [TestKitService] })
class TestKitModule {}

export const DEFAULT_TEST_OPTIONS: EngineOptions = {
  heartbeatIntervalMs: 50,
  missedBeats: 3,
  serviceWaitMs: 300,
  stepTimeoutMs: 5000,
  stepMaxAttempts: 3,
  retryBaseDelayMs: 20,
  maxActiveJobs: 1000,
  maxUploadBytes: 1024 * 1024,
  submitRatePerSecond: 0,
  submitRateBurst: 1,
  maxWaitSeconds: 60,
  maxForEachItems: 1000,
  expressionLimits: DEFAULT_EXPRESSION_LIMITS,
  maxImagePixels: 4_000_000,
  retentionMs: 3600_000,
  retentionSweepMs: 3600_000,
  webhookSecret: 'test-webhook-secret-0123456789',
  webhookMaxAttempts: 3,
  webhookTimeoutMs: 1000,
  webhookAllowPrivateTargets: true,
  adminKeyHashes: [hashApiKey(ADMIN_KEY)],
  userKeyHashes: [hashApiKey(USER_KEY)],
  allowAnonymous: true,
  replicaId: 'test-replica',
  leaseMs: 2000,
  leftoverGraceMs: 0,
};

export interface EngineHarness {
  app: INestApplication;
  kit: TestKitService;
  heartbeats: HeartbeatPublisher;
  dataDir: string;
  close(options?: { keepData?: boolean }): Promise<void>;
}

/** The real engine, store (SQLite file) and HTTP stack, with the test-kit service bound locally. */
export async function startEngine(options: Partial<EngineOptions> = {}, dataDir = mkdtempSync(join(tmpdir(), 'aim-engine-'))): Promise<EngineHarness> {
  // Each engine a replica of its own (a restarted one is a new replica, as a new process is).
  const merged = { ...DEFAULT_TEST_OPTIONS, replicaId: `test-${randomUUID().slice(0, 8)}`, ...options };
  const moduleRef = await Test.createTestingModule({
    imports: [
      ScheduleModule.forRoot(),
      StoreModule.register({ driver: 'sqlite', dataDir }),
      BlobStoreModule.register({ driver: 'folder', folder: join(dataDir, 'blobs') }),
      EngineModule.register(merged),
      LocalServicesModule.register({
        imports: [TestKitModule],
        services: [TestKitService],
        concurrency: 4,
        queueLimit: 4,
        heartbeatIntervalMs: merged.heartbeatIntervalMs,
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: ['error'] });
  app.use(json({ limit: merged.maxUploadBytes * 2 }), bodyParserErrorHandler(merged.maxUploadBytes));
  await app.init();
  // This app serves no document: its answers are checked against the one the product serves.
  watchApiContract(app.getHttpServer(), engineOpenApiDocument());
  return {
    app,
    kit: app.get(TestKitService),
    heartbeats: app.get(HeartbeatPublisher),
    dataDir,
    close: async ({ keepData = false } = {}) => {
      await app.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
