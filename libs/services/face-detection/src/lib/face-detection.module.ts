import { DynamicModule, Module } from '@nestjs/common';
import { FACE_DETECTION_OPTIONS } from './face-detection.constants';
import { FaceDetectionOptions, FaceDetectionService } from './face-detection.service';

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
