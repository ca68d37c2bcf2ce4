import { DynamicModule, Module } from '@nestjs/common';
import { join } from 'node:path';
import { ServiceHosting } from '@aim/service-kit';
import { DIGIT_RECOGNITION_OPTIONS } from './digit-recognition.constants';
import { DigitRecognitionOptions, DigitRecognitionService } from './digit-recognition.service';

@Module({})
export class DigitRecognitionModule {
  static register(options: DigitRecognitionOptions): DynamicModule {
    return {
      module: DigitRecognitionModule,
      providers: [{ provide: DIGIT_RECOGNITION_OPTIONS, useValue: options }, DigitRecognitionService],
      exports: [DigitRecognitionService],
    };
  }
}

/** The digit-recognition service as a process hosts it, its files found under the settings' root. */
export const hostDigitRecognition: ServiceHosting = (settings) => ({
  module: DigitRecognitionModule.register({ maxInputPixels: settings.maxInputPixels, mlBackend: settings.mlBackend, modelDir: join(settings.root, 'libs/services/digit-recognition/model') }),
  service: DigitRecognitionService,
});
