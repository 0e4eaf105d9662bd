/**
 * Multi-label measures over per-label sigmoid probabilities (rows × labels, each
 * value an independent P(label present), rows need not sum to 1). Higher = more
 * informative. Validated with `validateProbabilities(p, { kind: 'multi-label' })`.
 *
 * Worked example (3 labels, labelled-set mean cardinality c̄ = 1.5;
 * test/unit/strategies/multilabel.test.ts):
 *
 * | row | p                  | mean binary entropy | max binary entropy | cardinality inconsistency |
 * |-----|--------------------|---------------------|--------------------|---------------------------|
 * | 0   | [0.9, 0.5, 0.1]    | 0.447771            | 0.693147           | 0                         |
 * | 1   | [0.99, 0.01, 0.02] | 0.070014            | 0.098039           | 0.48                      |
 * | 2   | [0.6, 0.7, 0.4]    | 0.652296            | 0.673012           | 0.2                       |
 */
import type { Probabilities } from './types.js';
import { checkNumber, validateProbabilities } from './validate.js';

/** h(p) = −p ln p − (1 − p) ln(1 − p), with h(0) = h(1) = 0. */
function binaryEntropy(p: number): number {
  let h = 0;
  if (p > 0) h -= p * Math.log(p);
  if (p < 1) h -= (1 - p) * Math.log1p(-p);
  return h;
}

function perLabel(p: Probabilities, reduce: 'mean' | 'max'): Float64Array {
  validateProbabilities(p, { kind: 'multi-label' });
  const { rows, labels, data } = p;
  const out = new Float64Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += labels) {
    let sum = 0, max = 0;
    for (let j = o; j < o + labels; j++) {
      const h = binaryEntropy(data[j]!);
      sum += h;
      if (h > max) max = h;
    }
    out[r] = reduce === 'mean' ? sum / labels : max;
  }
  return out;
}

/**
 * Mean per-label binary entropy: entropy sampling per label, aggregated by the
 * average (the AVG aggregation of Esuli & Sebastiani 2009, "Active learning
 * strategies for multi-label text classification", ECIR): `(1/L) Σ_j h(p_j)`.
 * Example: [0.9, 0.5, 0.1] → (0.325083 + 0.693147 + 0.325083) / 3 = 0.447771.
 */
export function meanBinaryEntropy(p: Probabilities): Float64Array {
  return perLabel(p, 'mean');
}

/**
 * Max per-label binary entropy: the item's single most uncertain label,
 * `max_j h(p_j)` (the MAX aggregation of Esuli & Sebastiani 2009).
 * Example: [0.9, 0.5, 0.1] → h(0.5) = ln 2 = 0.693147.
 */
export function maxBinaryEntropy(p: Probabilities): Float64Array {
  return perLabel(p, 'max');
}

/**
 * Label-cardinality inconsistency, after Li & Guo 2013 ("Active learning with
 * multi-label SVM classification", IJCAI): how far the predicted number of labels
 * is from the labelled set's mean cardinality c̄, `|Σ_j p_j − c̄|`. Li & Guo count
 * thresholded predictions; this soft version uses the expected count Σ_j p_j.
 * Example (c̄ = 1.5): [0.99, 0.01, 0.02] → |1.02 − 1.5| = 0.48.
 * @param meanCardinality c̄, in [0, labels].
 */
export function labelCardinalityInconsistency(p: Probabilities, meanCardinality: number): Float64Array {
  validateProbabilities(p, { kind: 'multi-label' });
  const { rows, labels, data } = p;
  checkNumber('labelCardinality', meanCardinality, 0, labels);
  const out = new Float64Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += labels) {
    let s = 0;
    for (let j = o; j < o + labels; j++) s += data[j]!;
    out[r] = Math.abs(s - meanCardinality);
  }
  return out;
}
