/**
 * Shared result types for the model-evaluation metrics.
 *
 * Everything in `metrics/` is pure: no I/O, no clock, no globals (the only
 * randomness is the seeded generator of `src/core/random.ts`, and its seed is
 * returned with the result). Inputs are typed arrays; results are plain
 * JSON-able objects (numbers, `null`, strings, arrays — never a typed array,
 * NaN or ±Infinity).
 *
 * ## Conventions (one rule for every metric)
 *
 * - **Class indexes.** Single-label truth is an `Int32Array` of class indexes
 *   0..k−1, in the label order of the model version's `Probabilities`
 *   (`p.labels` = k). Multi-label truth is a row-major `Uint8Array` rows × k
 *   of 0/1. Predicted class = arg-max of the row, ties → the lowest index.
 * - **Undefined values.** When a metric is mathematically undefined for the
 *   data (0/0: no rows at all, a class without both positives and negatives
 *   for AUROC, two constant and identical prediction vectors for kappa), it
 *   returns `value: null` together with a human-readable `reason`. It never
 *   returns NaN/Infinity and never substitutes a made-up 1 or 0.
 * - **The one exception is zero division inside precision / recall / F1**,
 *   which follows scikit-learn's default (`zero_division=0`, documented in
 *   `sklearn.metrics.precision_recall_fscore_support`): a class that is never
 *   predicted has precision 0, a class that never occurs has recall 0, a
 *   class with neither has F1 0. The per-class `support` and `predicted`
 *   counts show when that happened.
 * - **Malformed input throws** `ValidationError` (src/core/errors.ts, HTTP
 *   400) whose `details[0].field` names the offending field: a shape mismatch
 *   (`p.rows`, `p.data`), a class index outside 0..k−1 (`truth[i]`), a NaN,
 *   infinite or out-of-[0, 1] probability (`p.data[j]`), a 0/1 array holding
 *   another value, a bad option (`options.resamples`). Zero rows is *not*
 *   malformed (an evaluation split can be empty): scalar metrics then return
 *   `null` with a reason.
 */

/** A scalar metric: `value` is `null` exactly when it is undefined, and then `reason` says why. */
export type ScalarMetric = {
  value: number | null;
  reason?: string;
};

/** Precision, recall, F1 and counts of one class (single-label) or one label (multi-label). */
export type ClassMetrics = {
  /** Class / label index (position in the model version's label order). */
  label: number;
  /** TP / (TP + FP); 0 when the class is never predicted (zero_division=0). */
  precision: number;
  /** TP / (TP + FN); 0 when the class never occurs in truth (zero_division=0). */
  recall: number;
  /** 2·TP / (2·TP + FP + FN); 0 when the class is neither true nor predicted (zero_division=0). */
  f1: number;
  /** Rows whose true class is this class (TP + FN). */
  support: number;
  /** Rows predicted as this class (TP + FP). */
  predicted: number;
};

/** k × k confusion matrix: `counts[t][q]` = rows with true class t predicted as q. */
export type ConfusionMatrix = {
  labels: number;
  counts: number[][];
};

/** One equal-width confidence bin of a calibration (reliability) plot. */
export type CalibrationBin = {
  /** Bin interval (lower, upper]; the first bin also holds confidence 0. */
  lower: number;
  upper: number;
  /** Rows whose max probability falls in the bin. */
  count: number;
  /** Mean max probability of those rows; `null` for an empty bin. */
  confidence: number | null;
  /** Share of those rows predicted correctly; `null` for an empty bin. */
  accuracy: number | null;
};

/** Expected calibration error plus the per-bin table it is computed from. */
export type CalibrationResult = ScalarMetric & {
  bins: CalibrationBin[];
};

/** One-vs-rest AUROC of one class. */
export type ClassAuroc = ScalarMetric & {
  label: number;
  /** Rows of this class. */
  positives: number;
  /** Rows of every other class. */
  negatives: number;
};

/** Per-class one-vs-rest AUROC and its macro average. */
export type AurocResult = {
  /** Mean of the defined per-class values; `classes` says how many were averaged. */
  macro: ScalarMetric & { classes: number };
  perClass: ClassAuroc[];
};

/** Everything {@link evaluateSingleLabel} computes, as one JSON-able object. */
export type SingleLabelEvaluation = {
  task: 'single-label';
  rows: number;
  labels: number;
  accuracy: ScalarMetric;
  macroF1: ScalarMetric;
  weightedF1: ScalarMetric;
  logLoss: ScalarMetric;
  brier: ScalarMetric;
  ece: CalibrationResult;
  auroc: AurocResult;
  perClass: ClassMetrics[];
  confusion: ConfusionMatrix;
};

/** Everything {@link evaluateMultiLabel} computes, as one JSON-able object. */
export type MultiLabelEvaluation = {
  task: 'multi-label';
  rows: number;
  labels: number;
  threshold: number;
  microF1: ScalarMetric;
  macroF1: ScalarMetric;
  hammingLoss: ScalarMetric;
  subsetAccuracy: ScalarMetric;
  perLabel: ClassMetrics[];
};
