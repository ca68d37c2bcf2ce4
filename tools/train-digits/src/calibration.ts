import { withTemperature } from '@aim/digit-recognition';

/** What was read, from the ten probabilities of each digit, and the right answers. */
export interface Readings {
  probabilities: number[][];
  labels: number[];
}

const best = (row: number[]) => row.indexOf(Math.max(...row));

/** Share of readings whose most probable digit is the right one. */
export function accuracyOf({ probabilities, labels }: Readings): number {
  return probabilities.filter((row, i) => best(row) === labels[i]).length / Math.max(1, labels.length);
}

/**
 * Expected calibration error: readings binned by confidence (10 equal bins), the gap between each
 * bin's mean confidence and its accuracy, weighted by the bin's share of the readings.
 */
export function expectedCalibrationError({ probabilities, labels }: Readings, bins = 10): number {
  const sums = Array.from({ length: bins }, () => ({ count: 0, confidence: 0, right: 0 }));
  probabilities.forEach((row, i) => {
    const confidence = Math.max(...row);
    const bin = sums[Math.min(bins - 1, Math.floor(confidence * bins))];
    bin.count++;
    bin.confidence += confidence;
    if (best(row) === labels[i]) bin.right++;
  });
  return sums.reduce((error, bin) => error + (bin.count ? (bin.count / labels.length) * Math.abs(bin.confidence / bin.count - bin.right / bin.count) : 0), 0);
}

function negativeLogLikelihood({ probabilities, labels }: Readings): number {
  return -probabilities.reduce((sum, row, i) => sum + Math.log(Math.max(1e-12, row[labels[i]])), 0) / labels.length;
}

/** The temperature that makes the readings' probabilities most likely (grid search, 0.3 to 4). */
export function fitTemperature(readings: Readings): number {
  let bestTemperature = 1;
  let bestLoss = Infinity;
  for (let temperature = 0.3; temperature <= 4.0001; temperature += 0.01) {
    const loss = negativeLogLikelihood({ probabilities: readings.probabilities.map((row) => withTemperature(row, temperature)), labels: readings.labels });
    if (loss < bestLoss) [bestLoss, bestTemperature] = [loss, temperature];
  }
  return Math.round(bestTemperature * 100) / 100;
}

/** The lowest confidence from which the readings are right at least `target` of the time (those at or above it). */
export function certaintyThreshold({ probabilities, labels }: Readings, target: number): number {
  const sorted = probabilities.map((row, i) => ({ confidence: Math.max(...row), right: best(row) === labels[i] })).sort((a, b) => b.confidence - a.confidence);
  let right = 0;
  let threshold = 1;
  sorted.forEach((reading, i) => {
    if (reading.right) right++;
    if (right / (i + 1) >= target) threshold = reading.confidence;
  });
  return threshold;
}

/** Among readings at or above the threshold: how many there are (share) and how many are right. */
export function certainReadings({ probabilities, labels }: Readings, threshold: number): { share: number; accuracy: number } {
  const certain = probabilities.map((row, i) => ({ row, label: labels[i] })).filter(({ row }) => Math.max(...row) >= threshold);
  return { share: certain.length / Math.max(1, labels.length), accuracy: certain.filter(({ row, label }) => best(row) === label).length / Math.max(1, certain.length) };
}
