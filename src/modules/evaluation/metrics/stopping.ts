/**
 * Stopping signal for active learning by stabilizing predictions
 * (Bloodgood & Vijay-Shanker 2009): agreement between the predictions of
 * consecutive model versions on an unlabelled "stop set", and the rule that
 * turns a history of those kappas into a stop / continue signal.
 */
import { invalid, NO_ROWS, undefinedMetric } from './input.js';
import type { ScalarMetric } from './types.js';

export type PredictionAgreement = {
  /** Rows compared. */
  n: number;
  /** Share of rows with the same predicted class (`null` for zero rows). */
  agreement: ScalarMetric;
  /** Cohen's kappa between the two prediction vectors (`null` when undefined, with `reason`). */
  kappa: ScalarMetric;
};

/**
 * Agreement between two prediction vectors on the same rows: the observed
 * share of equal predictions p_o and Cohen's kappa (Cohen 1960, EPM 20(1)),
 *
 *     p_o = (1/n) Σ_i [a_i = b_i],   p_e = Σ_j (n_aj / n)(n_bj / n),
 *     κ = (p_o − p_e) / (1 − p_e)
 *
 * with n_aj, n_bj the number of rows each version predicts as class j — the
 * statistic of the stabilizing-predictions stopping method (Bloodgood &
 * Vijay-Shanker 2009, "A method for stopping active learning based on
 * stabilizing predictions and the need for user-adjustable stopping",
 * CoNLL). Kappa is undefined (`null` with a reason) when p_e = 1, i.e. both
 * versions predict one and the same class for every row (agreement is then
 * 1); both are `null` for zero rows.
 *
 * @example
 * // sklearn cohen_kappa_score docs: a = [neg, pos, neg, neu, pos], b = [neg, pos, neg, neu, neg]
 * // as indexes a = [0, 2, 0, 1, 2], b = [0, 2, 0, 1, 0]: p_o = 0.8, p_e = (2·3 + 1·1 + 2·1)/25 = 0.36
 * // → agreement 0.8, κ = 0.44 / 0.64 = 0.6875
 * @throws ValidationError when the arrays differ in length or hold a negative class index.
 */
export function predictionAgreement(predA: Int32Array, predB: Int32Array): PredictionAgreement {
  if (!(predA instanceof Int32Array)) throw invalid('predA', 'must be an Int32Array of class indexes');
  if (!(predB instanceof Int32Array)) throw invalid('predB', 'must be an Int32Array of class indexes');
  const n = predA.length;
  if (predB.length !== n) throw invalid('predB', `has ${predB.length} rows, predA has ${n}`);
  let k = 0;
  for (const [field, a] of [['predA', predA], ['predB', predB]] as const) {
    for (let i = 0; i < n; i++) {
      const v = a[i]!;
      if (v < 0) throw invalid(`${field}[${i}]`, `class index ${v} is negative`);
      if (v + 1 > k) k = v + 1;
    }
  }
  if (n === 0) return { n, agreement: undefinedMetric(NO_ROWS), kappa: undefinedMetric(NO_ROWS) };
  // Per-class counts: dense arrays for ordinary label counts, a map for sparse huge indexes.
  const dense = k <= 4 * n + 1024;
  const ca = dense ? new Float64Array(k) : null;
  const cb = dense ? new Float64Array(k) : null;
  const ma = new Map<number, number>();
  const mb = new Map<number, number>();
  let same = 0;
  for (let i = 0; i < n; i++) {
    const a = predA[i]!;
    const b = predB[i]!;
    if (ca && cb) {
      ca[a]!++;
      cb[b]!++;
    } else {
      ma.set(a, (ma.get(a) ?? 0) + 1);
      mb.set(b, (mb.get(b) ?? 0) + 1);
    }
    if (a === b) same++;
  }
  let ee = 0; // Σ_j n_aj n_bj, exact in doubles for n < 2^26
  if (ca && cb) for (let j = 0; j < k; j++) ee += ca[j]! * cb[j]!;
  else for (const [j, na] of ma) ee += na * (mb.get(j) ?? 0);
  const po = same / n;
  const agreement = { value: po };
  if (ee === n * n) {
    return {
      n,
      agreement,
      kappa: undefinedMetric(
        'both versions predict one and the same class for every row: chance agreement is 1, so kappa is 0/0 (undefined)',
      ),
    };
  }
  const pe = ee / (n * n);
  return { n, agreement, kappa: { value: (po - pe) / (1 - pe) } };
}

export interface StabilizingOptions {
  /** Kappa level that counts as stable (default 0.99). */
  threshold?: number;
  /** Number of consecutive kappas the rule looks at (default 3). */
  window?: number;
  /**
   * 'mean' (default): stop when the mean of the last `window` kappas is ≥
   * threshold, as Bloodgood & Vijay-Shanker 2009 and small-text's
   * `KappaAverage`. 'each': stop only when every one of them is ≥ threshold
   * (stricter).
   */
  rule?: 'mean' | 'each';
}

export type StabilizingSignal = {
  /** The rule holds on the latest window. */
  stop: boolean;
  /**
   * When `stop`: the index into `kappas` at which the rule first held in the
   * current unbroken run of windows where it holds (the signal has been on
   * since `kappas[since]`, i.e. since the version pair since → since + 1).
   */
  since?: number;
};

/**
 * The stabilizing-predictions stopping rule (Bloodgood & Vijay-Shanker
 * 2009). `kappas[i]` is the Cohen's kappa between the stop-set predictions
 * of model versions i and i + 1 (see {@link predictionAgreement}), oldest
 * first. The rule holds at index i ≥ window − 1 when
 *
 *     mean(kappas[i − window + 1 .. i]) ≥ threshold        (rule 'mean', default)
 *     min(kappas[i − window + 1 .. i])  ≥ threshold        (rule 'each')
 *
 * with defaults threshold 0.99, window 3 (the paper's values). `stop` is
 * whether it holds at the latest index — the signal reflects the current
 * state, so a later unstable version turns it off again. A `null` kappa
 * (undefined: both versions predicted one single class everywhere) never
 * counts as stable: a window containing one does not satisfy the rule.
 * Fewer than `window` kappas → `stop: false`. (The mean is compared with a
 * 1e-12 tolerance, so kappas exactly at the threshold count as stable.)
 *
 * @example
 * stabilizingPredictions([0.8, 0.95, 0.995, 0.99, 0.992, 0.999])
 * // windows ending at 2: mean .915; 3: .978; 4: .992 ✓; 5: .9937 ✓ → { stop: true, since: 4 }
 * @throws ValidationError on a kappa that is not a finite number in [−1, 1] or null, or bad options.
 */
export function stabilizingPredictions(
  kappas: ReadonlyArray<number | null>,
  options: StabilizingOptions = {},
): StabilizingSignal {
  const threshold = options.threshold ?? 0.99;
  const window = options.window ?? 3;
  const rule = options.rule ?? 'mean';
  if (typeof threshold !== 'number' || !(threshold >= -1 && threshold <= 1)) {
    throw invalid('options.threshold', `must be a number in [−1, 1], got ${String(threshold)}`);
  }
  if (!Number.isInteger(window) || window < 1) throw invalid('options.window', `must be a positive integer, got ${String(window)}`);
  if (rule !== 'mean' && rule !== 'each') throw invalid('options.rule', `must be 'mean' or 'each', got ${JSON.stringify(rule)}`);
  if (!Array.isArray(kappas)) throw invalid('kappas', 'must be an array of numbers (or null)');
  for (let i = 0; i < kappas.length; i++) {
    const v = kappas[i];
    if (v === null) continue;
    if (typeof v !== 'number' || !(v >= -1 && v <= 1)) {
      throw invalid(`kappas[${i}]`, `must be a kappa in [−1, 1] or null, got ${String(v)}`);
    }
  }
  const holds = (end: number): boolean => {
    let s = 0;
    let min = Infinity;
    for (let i = end - window + 1; i <= end; i++) {
      const v = kappas[i];
      if (v === null || v === undefined) return false;
      s += v;
      if (v < min) min = v;
    }
    // The tolerance keeps e.g. [0.99, 0.99, 0.99] (mean 0.98999… in floating point) at the threshold.
    return rule === 'mean' ? s / window >= threshold - 1e-12 : min >= threshold;
  };
  const last = kappas.length - 1;
  if (last < window - 1 || !holds(last)) return { stop: false };
  let since = last;
  while (since - 1 >= window - 1 && holds(since - 1)) since--;
  return { stop: true, since };
}
