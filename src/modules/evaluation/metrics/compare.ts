/**
 * Comparisons of two model versions A and B evaluated on the same rows:
 * McNemar's exact test on the discordant pairs, and a paired bootstrap
 * interval for the difference in accuracy or macro-F1.
 */
import { createRng, randomSeed } from '../../../core/random.js';
import { checkBinary, checkClassIndexes, invalid, NO_ROWS } from './input.js';

export type McNemarResult = {
  /** Rows compared. */
  n: number;
  /** Rows where A is right and B is wrong. */
  b: number;
  /** Rows where A is wrong and B is right. */
  c: number;
  /** Exact two-sided p-value; 1 when there is no discordant row. */
  pValue: number;
};

/**
 * McNemar's test, exact form (McNemar 1947, Psychometrika 12(2); exact
 * binomial version as in Dietterich 1998, Neural Computation 10(7), and
 * statsmodels `mcnemar(table, exact=True)`): under H₀ (both versions are
 * equally accurate) each of the b + c discordant rows is equally likely to
 * favour A or B, so with X ~ Binomial(b + c, ½)
 *
 *     p = min(1, 2 · P[X ≤ min(b, c)]),     p = 1 when b + c = 0
 *
 * Concordant rows (both right or both wrong) do not enter. The binomial tail
 * is summed in log space relative to its largest term, so it stays exact to
 * ~1e-12 relative for b + c in the millions (it underflows to 0 only below
 * ~1e-308).
 *
 * @example
 * // b = 10, c = 2: P[X ≤ 2] = (1 + 12 + 66) / 2¹² = 79/4096 → p = 158/4096 = 0.038574…
 * @throws ValidationError when the arrays differ in length or hold values other than 0/1.
 */
export function mcnemarExact(correctA: Uint8Array, correctB: Uint8Array): McNemarResult {
  checkBinary(correctA, 'correctA');
  checkBinary(correctB, 'correctB', correctA.length);
  let b = 0;
  let c = 0;
  for (let i = 0; i < correctA.length; i++) {
    const a = correctA[i]!;
    const bb = correctB[i]!;
    if (a === 1 && bb === 0) b++;
    else if (a === 0 && bb === 1) c++;
  }
  return { n: correctA.length, b, c, pValue: binomialSignTestP(b, c) };
}

/** Exact two-sided sign-test p-value min(1, 2·P[X ≤ min(b, c)]), X ~ Bin(b + c, ½). */
export function binomialSignTestP(b: number, c: number): number {
  const n = b + c;
  const m = Math.min(b, c);
  if (n === 0 || 2 * m >= n) return 1; // P[X ≤ n/2] ≥ ½
  // ln C(n, m) = Σ_{i=1..m} ln((n − m + i) / i), compensated (Kahan) sum.
  let logC = 0;
  let comp = 0;
  for (let i = 1; i <= m; i++) {
    const y = Math.log((n - m + i) / i) - comp;
    const t = logC + y;
    comp = t - logC - y;
    logC = t;
  }
  // Σ_{i ≤ m} C(n, i) / C(n, m): terms shrink going down from i = m (m < n/2).
  let s = 1;
  let term = 1;
  for (let i = m; i >= 1; i--) {
    term *= i / (n - i + 1);
    s += term;
    if (term < s * 1e-17) break;
  }
  const logTail = logC - n * Math.LN2 + Math.log(s);
  return Math.min(1, Math.exp(logTail + Math.LN2));
}

export type BootstrapMetric = 'accuracy' | 'macroF1';

export interface BootstrapOptions {
  /** Number of bootstrap resamples (default 2000). */
  resamples?: number;
  /** Seed of the resampling generator; default a fresh random seed (returned, so the run can be replayed). */
  seed?: number;
  /** Metric (default 'accuracy'). */
  metric?: BootstrapMetric;
  /**
   * Number of classes k for macro-F1 (averaged over all k labels, as the
   * `macroF1` metric). Default: 1 + the largest class index in the truth and
   * predictions — pass the model's label count so unused labels count too.
   */
  labels?: number;
  /** Coverage of the percentile interval (default 0.95). */
  level?: number;
}

/** What both bootstraps report besides their point values. */
type BootstrapCommon = {
  metric: BootstrapMetric;
  /** Percentile interval of the resampled statistic; `null` for zero rows. */
  ci: [number, number] | null;
  level: number;
  resamples: number;
  seed: number;
  /** k used for macro-F1. */
  labels: number;
  reason?: string;
};

/** Paired: the statistic is B − A. */
export type BootstrapResult = BootstrapCommon & {
  /** Metric of A and of B on all rows (`null` for zero rows). */
  a: number | null;
  b: number | null;
  /** B − A on all rows (`null` for zero rows, with `reason`). */
  difference: number | null;
};

/** One model: the statistic is the metric. */
export type BootstrapIntervalResult = BootstrapCommon & {
  /** Metric on all rows (`null` for zero rows, with `reason`). */
  value: number | null;
};

interface Setup {
  metric: BootstrapMetric;
  resamples: number;
  level: number;
  seed: number;
  labels: number;
}

/** Validates options and prediction vectors (same length as truth, indexes in [0, k)). */
function setup(truth: Int32Array, preds: ReadonlyArray<readonly [string, Int32Array]>, options: BootstrapOptions): Setup {
  const metric = options.metric ?? 'accuracy';
  if (metric !== 'accuracy' && metric !== 'macroF1') {
    throw invalid('options.metric', `must be 'accuracy' or 'macroF1', got ${JSON.stringify(metric)}`);
  }
  const resamples = options.resamples ?? 2000;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw invalid('options.resamples', `must be a positive integer, got ${String(resamples)}`);
  }
  const level = options.level ?? 0.95;
  if (typeof level !== 'number' || !(level > 0 && level < 1)) {
    throw invalid('options.level', `must be a number in (0, 1), got ${String(level)}`);
  }
  const seed = options.seed ?? randomSeed();
  if (!Number.isInteger(seed)) throw invalid('options.seed', `must be an integer, got ${String(seed)}`);
  if (!(truth instanceof Int32Array)) throw invalid('truth', 'must be an Int32Array of class indexes');
  const n = truth.length;
  for (const [field, pred] of preds) {
    if (!(pred instanceof Int32Array) || pred.length !== n) {
      throw invalid(field, `must be an Int32Array with one class index per truth row (${n})`);
    }
  }
  let k: number;
  if (options.labels !== undefined) {
    k = options.labels;
    if (!Number.isInteger(k) || k < 1) throw invalid('options.labels', `must be a positive integer, got ${String(k)}`);
  } else {
    k = 1;
    for (const a of [truth, ...preds.map(([, pred]) => pred)]) {
      for (let i = 0; i < n; i++) if (a[i]! + 1 > k) k = a[i]! + 1;
    }
  }
  checkClassIndexes(truth, k, 'truth');
  for (const [field, pred] of preds) checkClassIndexes(pred, k, field);
  return { metric, resamples, level, seed, labels: k };
}

/**
 * The metric of each prediction vector on all rows (`full`) and on each of
 * `resamples` bootstrap resamples (`boot[v][r]`); every vector is scored on
 * the same resample. Draw order: resample by resample, n draws of
 * `rng.int(n)` each. n ≥ 1.
 */
function resampleMetric(
  truth: Int32Array,
  preds: readonly Int32Array[],
  s: Setup,
): { full: number[]; boot: Float64Array[] } {
  const n = truth.length;
  const k = s.labels;
  const m = preds.length;
  const rng = createRng(s.seed);
  const boot = preds.map(() => new Float64Array(s.resamples));
  if (s.metric === 'accuracy') {
    // right[v][i] = 1 when version v is right on row i.
    const right = preds.map((pred) => Uint8Array.from(pred, (q, i) => (q === truth[i] ? 1 : 0)));
    const full = right.map((r) => r.reduce((x, y) => x + y, 0) / n);
    const hits = new Float64Array(m);
    for (let r = 0; r < s.resamples; r++) {
      hits.fill(0);
      for (let i = 0; i < n; i++) {
        const j = rng.int(n);
        for (let v = 0; v < m; v++) hits[v]! += right[v]![j]!;
      }
      for (let v = 0; v < m; v++) boot[v]![r] = hits[v]! / n;
    }
    return { full, boot };
  }
  // Macro-F1 over all k labels: F1_j = 2 TP_j / (support_j + predicted_j), 0 when that is 0.
  const sup = new Float64Array(k);
  const tp = preds.map(() => new Float64Array(k));
  const pr = preds.map(() => new Float64Array(k));
  const reset = (): void => {
    sup.fill(0);
    for (let v = 0; v < m; v++) {
      tp[v]!.fill(0);
      pr[v]!.fill(0);
    }
  };
  const add = (i: number): void => {
    const t = truth[i]!;
    sup[t]!++;
    for (let v = 0; v < m; v++) {
      const q = preds[v]![i]!;
      pr[v]![q]!++;
      if (q === t) tp[v]![t]!++;
    }
  };
  const macro = (v: number): number => {
    let f = 0;
    for (let j = 0; j < k; j++) {
      const den = sup[j]! + pr[v]![j]!;
      if (den > 0) f += (2 * tp[v]![j]!) / den;
    }
    return f / k;
  };
  for (let i = 0; i < n; i++) add(i);
  const full = preds.map((_, v) => macro(v));
  for (let r = 0; r < s.resamples; r++) {
    reset();
    for (let i = 0; i < n; i++) add(rng.int(n));
    for (let v = 0; v < m; v++) boot[v]![r] = macro(v);
  }
  return { full, boot };
}

/** Percentile interval of the resampled values (sorts them in place). */
function percentileInterval(values: Float64Array, level: number): [number, number] {
  values.sort();
  return [quantileSorted(values, (1 - level) / 2), quantileSorted(values, (1 + level) / 2)];
}

/**
 * Paired bootstrap of the difference B − A in accuracy or macro-F1 (Efron &
 * Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 13 percentile
 * interval; paired resampling for comparing systems as in Koehn 2004 and
 * Berg-Kirkpatrick, Burkett & Klein 2012): R times, draw n row indexes
 * uniformly with replacement from the seeded generator (`createRng(seed)`),
 * compute the metric of A and of B on **the same** resample, and record
 * d*_r = M_B − M_A. The interval is the (1 − level)/2 and (1 + level)/2
 * quantiles of the d*_r (linear interpolation between order statistics,
 * `numpy.percentile`'s default), and `difference` is B − A on all rows.
 * Macro-F1 is over all k = `options.labels` labels, as the `macroF1` metric.
 * Same seed and inputs → the same interval, on every platform.
 *
 * @example
 * pairedBootstrap(Int32Array.of(0, 1, 1, 0), Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 1, 1, 1), { seed: 7 })
 * // accuracy A = 0.5, B = 0.75 → { a: 0.5, b: 0.75, difference: 0.25, ci: [0, 0.75], resamples: 2000, seed: 7, … }
 * @throws ValidationError on arrays of different lengths, negative or too large class indexes, bad options.
 */
export function pairedBootstrap(
  truth: Int32Array,
  predA: Int32Array,
  predB: Int32Array,
  options: BootstrapOptions = {},
): BootstrapResult {
  const s = setup(truth, [['predA', predA], ['predB', predB]], options);
  const base = { metric: s.metric, level: s.level, resamples: s.resamples, seed: s.seed, labels: s.labels };
  if (truth.length === 0) return { ...base, a: null, b: null, difference: null, ci: null, reason: NO_ROWS };
  const { full, boot } = resampleMetric(truth, [predA, predB], s);
  const a = full[0]!;
  const b = full[1]!;
  const diffs = new Float64Array(s.resamples);
  for (let r = 0; r < s.resamples; r++) diffs[r] = boot[1]![r]! - boot[0]![r]!;
  return { ...base, a, b, difference: b - a, ci: percentileInterval(diffs, s.level) };
}

/**
 * Bootstrap percentile interval of one version's accuracy or macro-F1 (Efron
 * & Tibshirani 1993, ch. 13): R resamples of the n rows with replacement
 * from `createRng(seed)`, the metric on each, and the (1 − level)/2 and
 * (1 + level)/2 quantiles (linear interpolation, `numpy.percentile`'s
 * default). `value` is the metric on all rows. Same options and resampling
 * scheme as {@link pairedBootstrap} (with the same seed, the resamples are
 * the same rows).
 *
 * @example
 * bootstrapInterval(Int32Array.of(0, 1, 1, 0), Int32Array.of(0, 1, 1, 1), { seed: 7 })
 * // → { metric: 'accuracy', value: 0.75, ci: [0.25, 1], level: 0.95, resamples: 2000, seed: 7, labels: 2 }
 * @throws ValidationError on arrays of different lengths, bad class indexes, bad options.
 */
export function bootstrapInterval(truth: Int32Array, pred: Int32Array, options: BootstrapOptions = {}): BootstrapIntervalResult {
  const s = setup(truth, [['pred', pred]], options);
  const base = { metric: s.metric, level: s.level, resamples: s.resamples, seed: s.seed, labels: s.labels };
  if (truth.length === 0) return { ...base, value: null, ci: null, reason: NO_ROWS };
  const { full, boot } = resampleMetric(truth, [pred], s);
  return { ...base, value: full[0]!, ci: percentileInterval(boot[0]!, s.level) };
}

/** Quantile q of sorted data, linear interpolation between order statistics (Hyndman & Fan type 7). */
export function quantileSorted(x: Float64Array, q: number): number {
  const h = (x.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, x.length - 1);
  return x[lo]! + (h - lo) * (x[hi]! - x[lo]!);
}
