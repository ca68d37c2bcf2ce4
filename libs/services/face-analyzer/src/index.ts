export * from './lib/face-analyzer.descriptor';
export * from './lib/face-analyzer.service';
export * from './lib/face-analyzer.module';
