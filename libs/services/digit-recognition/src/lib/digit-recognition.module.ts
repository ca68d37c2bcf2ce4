import { DynamicModule, Module } from '@nestjs/common';
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
