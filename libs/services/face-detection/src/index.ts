export * from './lib/face-detection.descriptor';
export * from './lib/face-detection.service';
export * from './lib/face-detection.module';
