import { DynamicModule, Module } from '@nestjs/common';
import { FACE_ANALYZER_OPTIONS } from './face-analyzer.constants';
import { FaceAnalyzerOptions, FaceAnalyzerService } from './face-analyzer.service';

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
