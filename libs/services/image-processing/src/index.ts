export * from './lib/image-processing.descriptor';
export * from './lib/image-processing.service';
export * from './lib/image-processing.module';
