/**
 * Single-label classification metrics on the arg-max prediction: accuracy,
 * confusion matrix, per-class precision / recall / F1, macro- and
 * weighted-F1.
 */
import type { Probabilities } from '../../../core/labels.js';
import { argmax, checkSingleLabel, NO_ROWS, undefinedMetric } from './input.js';
import type { ClassMetrics, ConfusionMatrix, ScalarMetric } from './types.js';

/**
 * Accuracy: the share of rows whose arg-max class equals the true class,
 *
 *     acc = (1/n) Σ_i [ŷ_i = y_i],   ŷ_i = argmax_j p_ij (ties → lowest j)
 *
 * (scikit-learn `accuracy_score`; for single-label data it equals micro-F1,
 * and 1 − acc is the Hamming loss of `hamming_loss(y, ŷ)`).
 * Undefined (`null`) for zero rows.
 *
 * @example
 * // truth [0, 1, 1], predicted [0, 1, 0] (rows [.9 .1], [.2 .8], [.6 .4])
 * accuracy(Int32Array.of(0, 1, 1), { rows: 3, labels: 2, data: Float32Array.of(.9, .1, .2, .8, .6, .4) })
 * // → { value: 2/3 }
 */
export function accuracy(truth: Int32Array, p: Probabilities): ScalarMetric {
  const { n } = checkSingleLabel(truth, p);
  return accuracyOf(truth, argmax(p), n);
}

/** Accuracy from predicted classes (no validation). */
export function accuracyOf(truth: Int32Array, pred: Int32Array, n: number): ScalarMetric {
  if (n === 0) return undefinedMetric(NO_ROWS);
  let hits = 0;
  for (let i = 0; i < n; i++) if (pred[i] === truth[i]) hits++;
  return { value: hits / n };
}

/**
 * Confusion matrix C (k × k, all k labels even when unused): `counts[t][q]`
 * = rows with true class t and arg-max class q — rows = truth, columns =
 * predicted, as scikit-learn `confusion_matrix(y_true, y_pred,
 * labels=range(k))`. Zero rows → all zeros.
 *
 * @example
 * // sklearn docs: y_true [2, 0, 2, 2, 0, 1], y_pred [0, 0, 2, 2, 0, 2]
 * // → [[2, 0, 0], [0, 0, 1], [1, 0, 2]]
 */
export function confusionMatrix(truth: Int32Array, p: Probabilities): ConfusionMatrix {
  const { n, k } = checkSingleLabel(truth, p);
  return toConfusion(confusionCounts(truth, argmax(p), n, k), k);
}

/** Row-major k × k counts (no validation). */
export function confusionCounts(truth: Int32Array, pred: Int32Array, n: number, k: number): Float64Array {
  const c = new Float64Array(k * k);
  for (let i = 0; i < n; i++) c[truth[i]! * k + pred[i]!]!++;
  return c;
}

export function toConfusion(c: Float64Array, k: number): ConfusionMatrix {
  const counts: number[][] = [];
  for (let t = 0; t < k; t++) counts.push(Array.from(c.subarray(t * k, t * k + k)));
  return { labels: k, counts };
}

/**
 * Precision, recall and F1 of one class from its counts, with scikit-learn's
 * default zero-division rule (`zero_division=0`): each ratio whose
 * denominator is 0 is 0.
 *
 *     P = TP / (TP + FP),  R = TP / (TP + FN),  F1 = 2·TP / (2·TP + FP + FN)
 */
export function classMetrics(label: number, tp: number, support: number, predicted: number): ClassMetrics {
  return {
    label,
    precision: predicted === 0 ? 0 : tp / predicted,
    recall: support === 0 ? 0 : tp / support,
    f1: support + predicted === 0 ? 0 : (2 * tp) / (support + predicted),
    support,
    predicted,
  };
}

/** Per-class metrics from a row-major confusion matrix (no validation). */
export function perClassFromConfusion(c: Float64Array, k: number): ClassMetrics[] {
  const support = new Float64Array(k);
  const predicted = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    for (let q = 0; q < k; q++) {
      const v = c[t * k + q]!;
      support[t]! += v;
      predicted[q]! += v;
    }
  }
  const out: ClassMetrics[] = [];
  for (let j = 0; j < k; j++) out.push(classMetrics(j, c[j * k + j]!, support[j]!, predicted[j]!));
  return out;
}

/**
 * Per-class precision, recall, F1 and support for all k classes (scikit-learn
 * `precision_recall_fscore_support(y, ŷ, labels=range(k), zero_division=0)`;
 * see {@link classMetrics} for the formulas and the zero-division rule).
 * `predicted` is the number of rows predicted as the class.
 *
 * @example
 * // truth [0, 1, 2, 0, 1, 2], predicted [0, 2, 1, 0, 0, 1] (sklearn f1_score docs)
 * // class 0: TP 2, FP 1, FN 0 → P 2/3, R 1, F1 0.8; classes 1 and 2: TP 0 → 0, 0, 0
 */
export function perClassMetrics(truth: Int32Array, p: Probabilities): ClassMetrics[] {
  const { n, k } = checkSingleLabel(truth, p);
  return perClassFromConfusion(confusionCounts(truth, argmax(p), n, k), k);
}

/**
 * Macro-F1: the unweighted mean of the per-class F1 over **all k labels of
 * the model version**, including labels that occur neither in the truth nor
 * in the predictions (they count as F1 = 0 by the zero-division rule):
 *
 *     macroF1 = (1/k) Σ_j F1_j
 *
 * This is scikit-learn `f1_score(y, ŷ, average='macro', labels=range(k),
 * zero_division=0)`. (Without `labels=`, scikit-learn averages only over the
 * labels present in y or ŷ, which gives a higher number when the evaluation
 * set misses a class; here a missing class is deliberately penalised, so that
 * versions are compared over the same label set.) Undefined for zero rows.
 *
 * @example
 * // sklearn docs: y_true [0, 1, 2, 0, 1, 2], y_pred [0, 2, 1, 0, 0, 1]
 * // F1 = (0.8, 0, 0) → macro-F1 = 0.2667 (micro-F1 = accuracy = 1/3)
 */
export function macroF1(truth: Int32Array, p: Probabilities): ScalarMetric {
  const { n, k } = checkSingleLabel(truth, p);
  if (n === 0) return undefinedMetric(NO_ROWS);
  return macroF1Of(perClassFromConfusion(confusionCounts(truth, argmax(p), n, k), k));
}

/**
 * Weighted-F1: the per-class F1 averaged with the class supports as weights,
 *
 *     weightedF1 = Σ_j (support_j / n) F1_j
 *
 * (scikit-learn `f1_score(average='weighted')`; classes absent from the truth
 * have weight 0, so `labels=` makes no difference). Undefined for zero rows.
 *
 * @example
 * // sklearn docs: y_true [0, 1, 2, 0, 1, 2], y_pred [0, 2, 1, 0, 0, 1]
 * // (2·0.8 + 2·0 + 2·0) / 6 = 0.2667
 */
export function weightedF1(truth: Int32Array, p: Probabilities): ScalarMetric {
  const { n, k } = checkSingleLabel(truth, p);
  if (n === 0) return undefinedMetric(NO_ROWS);
  return weightedF1Of(perClassFromConfusion(confusionCounts(truth, argmax(p), n, k), k));
}

/** Macro-F1 over the given classes (no validation; at least one class). */
export function macroF1Of(classes: readonly ClassMetrics[]): ScalarMetric {
  if (classes.length === 0) return undefinedMetric('no labels to average over');
  let s = 0;
  for (const c of classes) s += c.f1;
  return { value: s / classes.length };
}

/** Support-weighted F1 (no validation). */
export function weightedF1Of(classes: readonly ClassMetrics[]): ScalarMetric {
  let s = 0;
  let w = 0;
  for (const c of classes) {
    s += c.support * c.f1;
    w += c.support;
  }
  if (w === 0) return undefinedMetric(NO_ROWS);
  return { value: s / w };
}
