import * as tf from '@tensorflow/tfjs';

/**
 * conv5x5·32 → pool → conv3x3·64 → pool → dense128 → dropout → dense10, seeded initialisers. Small on
 * purpose: the wasm backend trains it in about half a minute per epoch on one core.
 */
export function digitModel(seed: number): tf.LayersModel {
  let next = seed * 100;
  const init = () => tf.initializers.heNormal({ seed: next++ });
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init() }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init() }));
  model.add(tf.layers.dropout({ rate: 0.4, seed: next++ }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: next++ }) }));
  return model;
}
