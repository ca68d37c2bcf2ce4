import * as tf from '@tensorflow/tfjs';

/** RGB bytes as the `[height, width, 3]` int32 tensor Human takes; the caller disposes it. */
export function rgbTensor(pixels: Uint8Array, width: number, height: number): tf.Tensor3D {
  return tf.tensor3d(Int32Array.from(pixels), [height, width, 3], 'int32');
}
