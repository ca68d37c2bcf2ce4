import { fileModelLoader, tf } from '@aim/ml-runtime';
import { RACES } from './face-analyzer.descriptor';

/**
 * Race from Human's `gear` model, run on the face crop Human made (256x256, 0..1). Only its race head
 * is used: its gender was wrong on 4 of 9 faces here, so age and gender come from faceres.
 */
export class GearRaceModel {
  private constructor(private readonly model: tf.GraphModel) {}

  static async load(modelJsonPath: string): Promise<GearRaceModel> {
    return new GearRaceModel(await tf.loadGraphModel(fileModelLoader(modelJsonPath)));
  }

  predict(face: tf.Tensor): Record<(typeof RACES)[number], number> {
    const scores = tf.tidy(() => {
      const batch = (face.rank === 3 ? face.expandDims(0) : face) as tf.Tensor4D;
      const [height, width] = this.model.inputs[0].shape!.slice(1, 3);
      // The crop Human's own gear code uses: a little off the left, right and bottom.
      const input = tf.image.cropAndResize(batch, [[0, 0.1, 0.9, 0.9]], [0], [height, width]);
      return (this.model.execute(input, 'Identity_2') as tf.Tensor).dataSync();
    });
    return Object.fromEntries(RACES.map((race, i) => [race, round(scores[i])])) as Record<(typeof RACES)[number], number>;
  }
}

export const round = (value: number) => Math.round(value * 1000) / 1000;
