import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { resolve } from 'node:path';
import { LoadedEnvironment } from '@aim/config';
import { EngineModule } from '@aim/engine';
import { DigitRecognitionModule, DigitRecognitionService } from '@aim/digit-recognition';
import { faceAnalyzerFiles, FaceAnalyzerModule, FaceAnalyzerService } from '@aim/face-analyzer';
import { FaceDetectionModule, FaceDetectionService } from '@aim/face-detection';
import { ImageProcessingModule, ImageProcessingService } from '@aim/image-processing';
import { LocalServicesModule } from '@aim/service-kit';
import { StoreModule } from '@aim/store';
import { BlobStoreModule } from '@aim/blob-store';
import { workspaceRoot } from './workspace-root';

const ROOT = workspaceRoot();

/** One process: the engine, every service bound locally, the embedded store. */
@Module({})
export class MarketplaceModule {
  static register(config: LoadedEnvironment): DynamicModule {
    return {
      module: MarketplaceModule,
      imports: [
        ScheduleModule.forRoot(),
        StoreModule.register({ driver: config.STORE_DRIVER, dataDir: resolve(config.DATA_DIR) }),
        BlobStoreModule.register({ driver: 'folder', folder: resolve(config.DATA_DIR, 'blobs') }),
        EngineModule.register({
          heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
          missedBeats: config.HEARTBEAT_MISSED_BEATS,
          serviceWaitMs: config.SERVICE_WAIT_MS,
          stepTimeoutMs: config.STEP_TIMEOUT_MS,
          stepMaxAttempts: config.STEP_MAX_ATTEMPTS,
          retryBaseDelayMs: config.RETRY_BASE_DELAY_MS,
          maxActiveJobs: config.MAX_ACTIVE_JOBS,
          maxUploadBytes: config.MAX_UPLOAD_BYTES,
          submitRatePerSecond: config.SUBMIT_RATE_PER_SECOND,
          submitRateBurst: config.SUBMIT_RATE_BURST,
          maxWaitSeconds: config.MAX_WAIT_SECONDS,
          maxForEachItems: config.MAX_FOREACH_ITEMS,
          expressionLimits: { timeoutMs: config.EXPRESSION_TIMEOUT_MS, maxDepth: config.EXPRESSION_MAX_DEPTH, maxItems: config.EXPRESSION_MAX_ITEMS },
          maxImagePixels: config.MAX_IMAGE_PIXELS,
          retentionMs: config.JOB_RETENTION_HOURS * 3600 * 1000,
          retentionSweepMs: config.RETENTION_SWEEP_MS,
          webhookSecret: config.WEBHOOK_SECRET,
          webhookMaxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
          webhookTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
          webhookAllowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
          adminKeyHashes: config.adminKeyHashes,
          userKeyHashes: config.userKeyHashes,
          allowAnonymous: config.ALLOW_ANONYMOUS,
        }),
        LocalServicesModule.register({
          imports: [
            ImageProcessingModule.register({ maxInputPixels: config.MAX_IMAGE_PIXELS }),
            FaceDetectionModule.register({ maxInputPixels: config.MAX_IMAGE_PIXELS, mlBackend: config.ML_BACKEND }),
            FaceAnalyzerModule.register({
              maxInputPixels: config.MAX_IMAGE_PIXELS,
              mlBackend: config.ML_BACKEND,
              ...faceAnalyzerFiles(ROOT),
            }),
            DigitRecognitionModule.register({
              maxInputPixels: config.MAX_IMAGE_PIXELS,
              mlBackend: config.ML_BACKEND,
              modelDir: resolve(ROOT, 'libs/services/digit-recognition/model'),
            }),
          ],
          services: [ImageProcessingService, FaceDetectionService, FaceAnalyzerService, DigitRecognitionService],
          concurrency: config.SERVICE_CONCURRENCY,
          queueLimit: config.SERVICE_QUEUE_LIMIT,
          heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
        }),
      ],
    };
  }
}
