import { DynamicModule, Module } from '@nestjs/common';
import { ServiceHosting } from '@aim/service-kit';
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

/** The image-processing service as a process hosts it, its files found under the settings' root. */
export const hostImageProcessing: ServiceHosting = (settings) => ({
  module: ImageProcessingModule.register({ maxInputPixels: settings.maxInputPixels }),
  service: ImageProcessingService,
});
