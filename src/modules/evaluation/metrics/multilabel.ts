/**
 * Multi-label metrics: each of the k labels is an independent yes/no
 * decision, predicted as p_ij > threshold (default 0.5) on sigmoid
 * probabilities. Truth is a row-major `Uint8Array` rows × k of 0/1.
 */
import type { Probabilities } from '../../../core/labels.js';
import { classMetrics } from './classification.js';
import { checkMultiLabel, invalid, NO_ROWS, undefinedMetric } from './input.js';
import type { ClassMetrics, ScalarMetric } from './types.js';

export interface MultiLabelOptions {
  /**
   * A label is predicted when its probability is strictly greater than this
   * (default 0.5, i.e. a positive logit — as scikit-learn's `predict`
   * `decision_function > 0`; p = 0.5 exactly is "no").
   */
  threshold?: number;
}

/** Per-label counts of a multi-label prediction (internal). */
export interface MultiLabelTally {
  n: number;
  k: number;
  tp: Float64Array;
  support: Float64Array;
  predicted: Float64Array;
  /** Cells (row, label) where prediction ≠ truth. */
  mismatches: number;
  /** Rows where every label is right. */
  exactRows: number;
}

export function thresholdOption(options: MultiLabelOptions): number {
  const t = options.threshold ?? 0.5;
  if (typeof t !== 'number' || !(t >= 0 && t <= 1)) {
    throw invalid('options.threshold', `must be a number in [0, 1], got ${String(t)}`);
  }
  return t;
}

/** One pass over validated input. */
export function multiLabelTally(truth: Uint8Array, p: Probabilities, n: number, k: number, threshold: number): MultiLabelTally {
  const tp = new Float64Array(k);
  const support = new Float64Array(k);
  const predicted = new Float64Array(k);
  let mismatches = 0;
  let exactRows = 0;
  for (let i = 0, o = 0; i < n; i++, o += k) {
    let rowWrong = 0;
    for (let j = 0; j < k; j++) {
      const y = truth[o + j]!;
      const q = p.data[o + j]! > threshold ? 1 : 0;
      support[j]! += y;
      predicted[j]! += q;
      if (y === 1 && q === 1) tp[j]!++;
      if (y !== q) rowWrong++;
    }
    mismatches += rowWrong;
    if (rowWrong === 0) exactRows++;
  }
  return { n, k, tp, support, predicted, mismatches, exactRows };
}

function tally(truth: Uint8Array, p: Probabilities, options: MultiLabelOptions): MultiLabelTally {
  const threshold = thresholdOption(options);
  const { n, k } = checkMultiLabel(truth, p);
  return multiLabelTally(truth, p, n, k, threshold);
}

export function perLabelOf(t: MultiLabelTally): ClassMetrics[] {
  const out: ClassMetrics[] = [];
  for (let j = 0; j < t.k; j++) out.push(classMetrics(j, t.tp[j]!, t.support[j]!, t.predicted[j]!));
  return out;
}

export function microF1Of(t: MultiLabelTally): ScalarMetric {
  if (t.n === 0) return undefinedMetric(NO_ROWS);
  let tp = 0;
  let sp = 0;
  for (let j = 0; j < t.k; j++) {
    tp += t.tp[j]!;
    sp += t.support[j]! + t.predicted[j]!;
  }
  return { value: sp === 0 ? 0 : (2 * tp) / sp };
}

export function macroF1OfTally(t: MultiLabelTally): ScalarMetric {
  if (t.n === 0) return undefinedMetric(NO_ROWS);
  let s = 0;
  for (const c of perLabelOf(t)) s += c.f1;
  return { value: s / t.k };
}

export function hammingLossOf(t: MultiLabelTally): ScalarMetric {
  if (t.n === 0) return undefinedMetric(NO_ROWS);
  return { value: t.mismatches / (t.n * t.k) };
}

export function subsetAccuracyOf(t: MultiLabelTally): ScalarMetric {
  if (t.n === 0) return undefinedMetric(NO_ROWS);
  return { value: t.exactRows / t.n };
}

/**
 * Per-label precision, recall, F1, support and predicted count (each label a
 * binary problem; zero-division → 0, see {@link classMetrics}) — scikit-learn
 * `precision_recall_fscore_support(Y, Ŷ, zero_division=0)` on indicator
 * matrices.
 *
 * @example
 * // truth [[1, 0], [1, 1]], probabilities [[.9, .2], [.4, .7]] → Ŷ [[1, 0], [0, 1]]
 * // label 0: TP 1, FN 1 → P 1, R .5, F1 2/3; label 1: TP 1 → P 1, R 1, F1 1
 */
export function multiLabelPerLabel(truth: Uint8Array, p: Probabilities, options: MultiLabelOptions = {}): ClassMetrics[] {
  return perLabelOf(tally(truth, p, options));
}

/**
 * Micro-F1: F1 of the pooled (row, label) decisions,
 *
 *     microF1 = 2 Σ_j TP_j / (2 Σ_j TP_j + Σ_j FP_j + Σ_j FN_j)
 *
 * (scikit-learn `f1_score(Y, Ŷ, average='micro')`; 0 when nothing is
 * positive in either truth or prediction, zero_division=0). Undefined for
 * zero rows.
 *
 * @example
 * // truth [[1, 0], [1, 1]], Ŷ [[1, 0], [0, 1]] → TP 2, FP 0, FN 1 → 4/5
 */
export function multiLabelMicroF1(truth: Uint8Array, p: Probabilities, options: MultiLabelOptions = {}): ScalarMetric {
  return microF1Of(tally(truth, p, options));
}

/**
 * Macro-F1: the mean of the per-label F1 over all k labels,
 *
 *     macroF1 = (1/k) Σ_j 2 TP_j / (2 TP_j + FP_j + FN_j)
 *
 * (scikit-learn `f1_score(Y, Ŷ, average='macro', zero_division=0)`, which on
 * indicator matrices uses every column). Undefined for zero rows.
 *
 * @example
 * // truth [[1, 0], [1, 1]], Ŷ [[1, 0], [0, 1]] → (2/3 + 1) / 2 = 5/6
 */
export function multiLabelMacroF1(truth: Uint8Array, p: Probabilities, options: MultiLabelOptions = {}): ScalarMetric {
  return macroF1OfTally(tally(truth, p, options));
}

/**
 * Hamming loss: the share of (row, label) cells predicted wrongly,
 *
 *     hamming = (1 / (n k)) Σ_i Σ_j [ŷ_ij ≠ y_ij]
 *
 * (scikit-learn `hamming_loss` on indicator matrices; for single-label data
 * it is 1 − accuracy). Undefined for zero rows.
 *
 * @example
 * // sklearn docs: hamming_loss([[0, 1], [1, 1]], zeros((2, 2))) = 3/4
 */
export function hammingLoss(truth: Uint8Array, p: Probabilities, options: MultiLabelOptions = {}): ScalarMetric {
  return hammingLossOf(tally(truth, p, options));
}

/**
 * Subset accuracy (exact match ratio): the share of rows whose whole label
 * set is predicted exactly,
 *
 *     subsetAcc = (1/n) Σ_i [ŷ_i· = y_i·]
 *
 * (scikit-learn `accuracy_score` on indicator matrices). Undefined for zero
 * rows.
 *
 * @example
 * // truth [[1, 0], [1, 1]], Ŷ [[1, 0], [0, 1]] → 1/2
 */
export function subsetAccuracy(truth: Uint8Array, p: Probabilities, options: MultiLabelOptions = {}): ScalarMetric {
  return subsetAccuracyOf(tally(truth, p, options));
}
