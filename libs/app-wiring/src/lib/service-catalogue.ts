import { DynamicModule, Type } from '@nestjs/common';
import { resolve } from 'node:path';
import { LoadedEnvironment } from '@aim/config';
import { DigitRecognitionModule, DigitRecognitionService } from '@aim/digit-recognition';
import { faceAnalyzerFiles, FaceAnalyzerModule, FaceAnalyzerService } from '@aim/face-analyzer';
import { FaceDetectionModule, FaceDetectionService } from '@aim/face-detection';
import { ImageProcessingModule, ImageProcessingService } from '@aim/image-processing';
import { ServiceKitOptions, TaskService } from '@aim/service-kit';
import { workspaceRoot } from './workspace-root';

/** Every capability of the product, by the name it is announced under. */
export const SERVICE_NAMES = ['image-processing', 'face-detection', 'face-analyzer', 'digit-recognition'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

interface CatalogueEntry {
  module: DynamicModule;
  service: Type<TaskService>;
}

/** A service's module (configured from the environment, models from the repository) and its class. */
export function catalogueEntry(name: ServiceName, config: LoadedEnvironment): CatalogueEntry {
  const root = workspaceRoot();
  const common = { maxInputPixels: config.MAX_IMAGE_PIXELS };
  switch (name) {
    case 'image-processing':
      return { module: ImageProcessingModule.register(common), service: ImageProcessingService };
    case 'face-detection':
      return { module: FaceDetectionModule.register({ ...common, mlBackend: config.ML_BACKEND }), service: FaceDetectionService };
    case 'face-analyzer':
      return { module: FaceAnalyzerModule.register({ ...common, mlBackend: config.ML_BACKEND, ...faceAnalyzerFiles(root) }), service: FaceAnalyzerService };
    case 'digit-recognition':
      return {
        module: DigitRecognitionModule.register({ ...common, mlBackend: config.ML_BACKEND, modelDir: resolve(root, 'libs/services/digit-recognition/model') }),
        service: DigitRecognitionService,
      };
  }
}

/** The service kit's options for hosting the named services in this process. */
export function hostingOptions(names: readonly ServiceName[], config: LoadedEnvironment): ServiceKitOptions {
  const entries = names.map((name) => catalogueEntry(name, config));
  return {
    imports: entries.map((entry) => entry.module),
    services: entries.map((entry) => entry.service),
    concurrency: config.SERVICE_CONCURRENCY,
    queueLimit: config.SERVICE_QUEUE_LIMIT,
    heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
  };
}
