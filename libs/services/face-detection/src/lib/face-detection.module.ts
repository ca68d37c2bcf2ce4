import { DynamicModule, Module } from '@nestjs/common';
import { ServiceHosting } from '@aim/service-kit';
import { FACE_DETECTION_OPTIONS } from './face-detection.constants';
import { faceDetectionFiles, FaceDetectionOptions, FaceDetectionService } from './face-detection.service';

@Module({})
export class FaceDetectionModule {
  static register(options: FaceDetectionOptions): DynamicModule {
    return {
      module: FaceDetectionModule,
      providers: [{ provide: FACE_DETECTION_OPTIONS, useValue: options }, FaceDetectionService],
      exports: [FaceDetectionService],
    };
  }
}

/** The face-detection service as a process hosts it, its files found under the settings' root. */
export const hostFaceDetection: ServiceHosting = (settings) => ({
  module: FaceDetectionModule.register({ maxInputPixels: settings.maxInputPixels, mlBackend: settings.mlBackend, ...faceDetectionFiles(settings.root) }),
  service: FaceDetectionService,
});
