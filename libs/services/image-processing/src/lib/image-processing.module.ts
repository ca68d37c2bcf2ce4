import { DynamicModule, Module } from '@nestjs/common';
import { IMAGE_PROCESSING_OPTIONS } from './image-processing.constants';
import { ImageProcessingOptions, ImageProcessingService } from './image-processing.service';

@Module({})
export class ImageProcessingModule {
  static register(options: ImageProcessingOptions): DynamicModule {
    return {
      module: ImageProcessingModule,
      providers: [{ provide: IMAGE_PROCESSING_OPTIONS, useValue: options }, ImageProcessingService],
      exports: [ImageProcessingService],
    };
  }
}
