/**
 * Metrics of the predicted probabilities themselves (single-label): log loss,
 * multi-class Brier score, expected calibration error with its reliability
 * table.
 */
import type { Probabilities } from '../../../core/labels.js';
import { argmax, checkSingleLabel, invalid, NO_ROWS, undefinedMetric } from './input.js';
import type { CalibrationBin, CalibrationResult, ScalarMetric } from './types.js';

/** Probabilities are clipped to [EPS, 1 − EPS] before the log. */
export const LOG_LOSS_EPS = 1e-15;

/**
 * Log loss (cross-entropy, natural log), the mean over rows of the negative
 * log probability given to the true class:
 *
 *     logLoss = −(1/n) Σ_i ln clip(p_{i, y_i}, ε, 1 − ε),   ε = 1e-15
 *
 * As scikit-learn `log_loss(y, P, labels=range(k))` with its classic default
 * `eps=1e-15` (scikit-learn ≥ 1.5 clips at the float eps of the input's dtype
 * instead; the two differ only for probabilities below ~1e-7). The row is
 * used as given — not renormalised to sum to 1 — and only the true-class
 * column enters. Undefined for zero rows.
 *
 * @example
 * // sklearn docs: log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
 * // labels sorted → ham = 0, spam = 1; truth [1, 0, 0, 1]
 * // −(ln .9 + ln .9 + ln .8 + ln .65) / 4 = 0.21616…
 */
export function logLoss(truth: Int32Array, p: Probabilities): ScalarMetric {
  const { n, k } = checkSingleLabel(truth, p);
  return logLossOf(truth, p, n, k);
}

/** Log loss of validated input. */
export function logLossOf(truth: Int32Array, p: Probabilities, n: number, k: number): ScalarMetric {
  if (n === 0) return undefinedMetric(NO_ROWS);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const q = Math.min(Math.max(p.data[i * k + truth[i]!]!, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
    s -= Math.log(q);
  }
  return { value: s / n };
}

/**
 * Multi-class Brier score (Brier 1950, "Verification of forecasts expressed
 * in terms of probability", Monthly Weather Review 78(1)): the mean over rows
 * of the squared distance between the probability row and the one-hot truth,
 *
 *     brier = (1/n) Σ_i Σ_j (p_ij − [y_i = j])²,   range [0, 2]
 *
 * This is Brier's original definition (also R `mlr3measures::mbrier`, and
 * scikit-learn ≥ 1.7 `brier_score_loss(y, P)` given the full n × k matrix).
 * **Binary case:** with two columns both terms are equal, so the value is
 * 2 × the classic binary `brier_score_loss(y, p_positive)` of scikit-learn
 * ≤ 1.6 (which scores the positive-class column only and lies in [0, 1]).
 * Undefined for zero rows.
 *
 * @example
 * // sklearn docs: brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]) = 0.0375
 * // as rows [.9 .1], [.1 .9], [.2 .8], [.7 .3]: (0.02 + 0.02 + 0.08 + 0.18) / 4 = 0.075 = 2 × 0.0375
 */
export function brierScore(truth: Int32Array, p: Probabilities): ScalarMetric {
  const { n, k } = checkSingleLabel(truth, p);
  return brierScoreOf(truth, p, n, k);
}

/** Brier score of validated input. */
export function brierScoreOf(truth: Int32Array, p: Probabilities, n: number, k: number): ScalarMetric {
  if (n === 0) return undefinedMetric(NO_ROWS);
  const d = p.data;
  let s = 0;
  for (let i = 0, o = 0; i < n; i++, o += k) {
    const y = truth[i]!;
    for (let j = 0; j < k; j++) {
      const e = d[o + j]! - (j === y ? 1 : 0);
      s += e * e;
    }
  }
  return { value: s / n };
}

export interface CalibrationOptions {
  /** Number of equal-width confidence bins on [0, 1] (default 15, as Guo et al. 2017). */
  bins?: number;
}

/**
 * Expected calibration error of the top-label confidence (Naeini, Cooper &
 * Hauskrecht 2015; Guo, Pleiss, Sun & Weinberger 2017, "On calibration of
 * modern neural networks", ICML, eq. 3): rows are grouped into M
 * equal-width bins by their confidence c_i = max_j p_ij, and
 *
 *     ECE = Σ_b (|B_b| / n) · |acc(B_b) − conf(B_b)|
 *
 * with acc(B_b) the share of rows in bin b whose arg-max class is right and
 * conf(B_b) their mean confidence. Bin b (0-based) is the interval
 * (b/M, (b+1)/M], right-closed as in Guo et al.; the first bin also holds
 * confidence 0. Default M = 15.
 *
 * `bins` is the reliability table for a calibration plot: every bin, with
 * `confidence` / `accuracy` `null` when the bin is empty (empty bins add 0
 * to the ECE). Undefined (`value: null`, all bins empty) for zero rows.
 *
 * @example
 * // 4 bins; confidences .9 (right), .9 (wrong), .6 (right), .3 (right)
 * // bin (.75, 1]: 2 rows, conf .9, acc .5 → |.5 − .9| · 2/4 = 0.2
 * // bin (.5, .75]: 1 row, conf .6, acc 1 → .4 · 1/4 = 0.1
 * // bin (.25, .5]: 1 row, conf .3, acc 1 → .7 · 1/4 = 0.175      ECE = 0.475
 */
export function expectedCalibrationError(
  truth: Int32Array,
  p: Probabilities,
  options: CalibrationOptions = {},
): CalibrationResult {
  const m = options.bins ?? 15;
  if (!Number.isInteger(m) || m < 1) throw invalid('options.bins', `must be a positive integer, got ${String(m)}`);
  const { n, k } = checkSingleLabel(truth, p);
  return calibrationOf(truth, p, argmax(p), n, k, m);
}

/** Bin index of confidence c among m right-closed bins (b/m, (b+1)/m]. */
export function binIndex(c: number, m: number): number {
  let b = Math.ceil(c * m) - 1;
  if (b < 0) b = 0;
  if (b > m - 1) b = m - 1;
  // Repair rounding in c·m so that the comparison is against the boundaries b/m themselves.
  while (b > 0 && c <= b / m) b--;
  while (b < m - 1 && c > (b + 1) / m) b++;
  return b;
}

/** ECE and reliability table from validated input and predictions. */
export function calibrationOf(
  truth: Int32Array,
  p: Probabilities,
  pred: Int32Array,
  n: number,
  k: number,
  m: number,
): CalibrationResult {
  const count = new Float64Array(m);
  const confSum = new Float64Array(m);
  const hits = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const q = pred[i]!;
    const c = p.data[i * k + q]!;
    const b = binIndex(c, m);
    count[b]!++;
    confSum[b]! += c;
    if (q === truth[i]) hits[b]!++;
  }
  const bins: CalibrationBin[] = [];
  let ece = 0;
  for (let b = 0; b < m; b++) {
    const cnt = count[b]!;
    const lower = b / m;
    const upper = (b + 1) / m;
    if (cnt === 0) {
      bins.push({ lower, upper, count: 0, confidence: null, accuracy: null });
      continue;
    }
    const confidence = confSum[b]! / cnt;
    const acc = hits[b]! / cnt;
    ece += (cnt / n) * Math.abs(acc - confidence);
    bins.push({ lower, upper, count: cnt, confidence, accuracy: acc });
  }
  if (n === 0) return { value: null, reason: NO_ROWS, bins };
  return { value: ece, bins };
}
