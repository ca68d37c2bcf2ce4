export * from './lib/digit-recognition.descriptor';
export * from './lib/digit-recognition.service';
export * from './lib/digit-recognition.module';
