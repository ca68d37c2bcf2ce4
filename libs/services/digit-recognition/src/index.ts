export * from './lib/digit-recognition.descriptor';
export * from './lib/digit-recognition.service';
export * from './lib/digit-recognition.module';
export { toMnist } from './lib/mnist-preprocess';
export type { MnistInput } from './lib/mnist-preprocess';
export * from './lib/digit-calibration';
