/** Small builders for the evaluation-metric tests. */
import type { Probabilities } from '../../../src/core/labels.js';

/** Probabilities from nested rows (all rows must have the same length). */
export function probs(rows: number[][], labels = rows[0]?.length ?? 1): Probabilities {
  const data = new Float32Array(rows.length * labels);
  rows.forEach((r, i) => {
    if (r.length !== labels) throw new Error(`row ${i} has ${r.length} entries, expected ${labels}`);
    data.set(r, i * labels);
  });
  return { rows: rows.length, labels, data };
}

/**
 * Probabilities whose arg-max is `pred[i]` (0.6 on the predicted class, the
 * rest spread evenly), for tests stated in terms of predicted labels.
 */
export function fromPredictions(pred: readonly number[], labels: number): Probabilities {
  const rest = labels > 1 ? 0.4 / (labels - 1) : 0;
  return probs(
    pred.map((q) => Array.from({ length: labels }, (_, j) => (j === q ? (labels > 1 ? 0.6 : 1) : rest))),
    labels,
  );
}

export const i32 = (xs: readonly number[]): Int32Array => Int32Array.from(xs);
export const u8 = (xs: readonly number[]): Uint8Array => Uint8Array.from(xs);
