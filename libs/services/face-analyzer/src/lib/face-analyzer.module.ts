import { DynamicModule, Module } from '@nestjs/common';
import { ServiceHosting } from '@aim/service-kit';
import { FACE_ANALYZER_OPTIONS } from './face-analyzer.constants';
import { faceAnalyzerFiles, FaceAnalyzerOptions, FaceAnalyzerService } from './face-analyzer.service';

@Module({})
export class FaceAnalyzerModule {
  static register(options: FaceAnalyzerOptions): DynamicModule {
    return {
      module: FaceAnalyzerModule,
      providers: [{ provide: FACE_ANALYZER_OPTIONS, useValue: options }, FaceAnalyzerService],
      exports: [FaceAnalyzerService],
    };
  }
}

/** The face-analyzer service as a process hosts it, its files found under the settings' root. */
export const hostFaceAnalyzer: ServiceHosting = (settings) => ({
  module: FaceAnalyzerModule.register({ maxInputPixels: settings.maxInputPixels, mlBackend: settings.mlBackend, ...faceAnalyzerFiles(settings.root) }),
  service: FaceAnalyzerService,
});
