/**
 * How sure the reader may say it is. Written by the training script next to the model
 * (`calibration.json`), from digits it did not train on:
 * - `temperature` softens (above 1) or sharpens the ensemble's probabilities so that a reading said to
 *   be 90% sure is right about 90% of the time (temperature scaling);
 * - `certainAbove` is the calibrated confidence from which readings were right at least 99.8% of the time
 *   (on handwriting and on type, each).
 */
export interface DigitCalibration {
  temperature: number;
  certainAbove: number;
}

/** No calibration file: the probabilities as they are, and no reading called certain. */
export const UNCALIBRATED: DigitCalibration = { temperature: 1, certainAbove: 1.01 };

/** Probabilities raised to 1/T and renormalised: temperature scaling applied to log-probabilities. */
export function withTemperature(probabilities: number[], temperature: number): number[] {
  const scaled = probabilities.map((p) => Math.pow(Math.max(p, 1e-12), 1 / temperature));
  const sum = scaled.reduce((total, p) => total + p, 0);
  return scaled.map((p) => p / sum);
}

export function parseCalibration(text: string): DigitCalibration {
  const value = JSON.parse(text) as Partial<DigitCalibration>;
  if (typeof value.temperature !== 'number' || !(value.temperature > 0) || typeof value.certainAbove !== 'number') {
    throw new Error(`calibration.json needs a positive "temperature" and a "certainAbove": ${text.slice(0, 200)}`);
  }
  return { temperature: value.temperature, certainAbove: value.certainAbove };
}
