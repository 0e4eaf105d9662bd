/**
 * The arithmetic of a simulation report, as pure functions (no I/O): accuracy and
 * macro-F1 of a prediction, labels needed to reach a target on a learning curve,
 * the normalised area under a learning curve, mean ± sd, and paired 95% intervals.
 * Imports `src/core` only; every function is checked against hand-computed values
 * in test/unit/simulation/metrics.test.ts.
 */
import type { Probabilities } from '../../core/labels.js';

/** One evaluation point of a learning curve. */
export interface CurvePoint {
  /** Labels the model was trained on. */
  labels: number;
  accuracy: number;
  macroF1: number;
}

/** Arg-max class per row (ties → the lower class index). */
export function argmaxRows(p: Probabilities): Int32Array {
  const out = new Int32Array(p.rows);
  for (let r = 0, o = 0; r < p.rows; r++, o += p.labels) {
    let best = 0;
    for (let j = 1; j < p.labels; j++) if (p.data[o + j]! > p.data[o + best]!) best = j;
    out[r] = best;
  }
  return out;
}

/** Share of rows where `pred` equals `truth` (0 for no rows). */
export function accuracy(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (pred.length !== truth.length) throw new RangeError(`accuracy: ${pred.length} predictions for ${truth.length} rows`);
  if (truth.length === 0) return 0;
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (pred[i] === truth[i]) hits++;
  return hits / truth.length;
}

/**
 * Macro-averaged F1 over the classes that occur in `truth` or in `pred` (as
 * scikit-learn's `f1_score(average="macro")` with its default labels): per class
 * F1 = 2·TP / (2·TP + FP + FN), the plain mean over those classes. A class that is
 * predicted but never true (or the reverse) counts with F1 = 0.
 * Example: truth [0, 0, 1, 2], pred [0, 1, 1, 1] → F1 = 2/3, 1/2, 0 → 7/18.
 */
export function macroF1(pred: ArrayLike<number>, truth: ArrayLike<number>, classes: number): number {
  if (pred.length !== truth.length) throw new RangeError(`macroF1: ${pred.length} predictions for ${truth.length} rows`);
  const tp = new Float64Array(classes), fp = new Float64Array(classes), fn = new Float64Array(classes);
  for (let i = 0; i < truth.length; i++) {
    const p = pred[i]!, t = truth[i]!;
    if (p === t) tp[t]!++;
    else {
      fp[p]!++;
      fn[t]!++;
    }
  }
  let sum = 0, present = 0;
  for (let c = 0; c < classes; c++) {
    const denom = 2 * tp[c]! + fp[c]! + fn[c]!;
    if (denom === 0) continue; // neither true nor predicted: not part of the average
    present++;
    sum += (2 * tp[c]!) / denom;
  }
  return present === 0 ? 0 : sum / present;
}

/**
 * Labels needed to reach `target` on a learning curve: the label count of the
 * FIRST evaluation point whose value is ≥ target (no interpolation between points,
 * so the answer is always a label count that was actually evaluated, as the peer
 * reports it), or null when no point reaches it (reported as "> budget").
 * Points must be in increasing label order.
 * Example: labels [20, 30, 40], accuracy [0.5, 0.8, 0.79] → target 0.8: 30; 0.81: null.
 */
export function labelsToTarget(points: readonly { labels: number; value: number }[], target: number): number | null {
  for (const p of points) if (p.value >= target) return p.labels;
  return null;
}

/**
 * Normalised area under a learning curve: the trapezoid-rule area of value
 * against labels from the first to the last point, divided by the label range,
 * i.e. the curve's mean value over [first, last] labels (in [0, 1] for accuracy).
 * One point: its value. Example: labels [0, 10, 30], accuracy [0.5, 0.7, 0.9]
 * → (10·0.6 + 20·0.8) / 30 = 22/30 ≈ 0.7333.
 */
export function aulc(points: readonly { labels: number; value: number }[]): number {
  if (points.length === 0) return NaN;
  if (points.length === 1) return points[0]!.value;
  let area = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!, b = points[i]!;
    if (!(b.labels > a.labels)) throw new RangeError(`aulc: label counts must increase (${a.labels} then ${b.labels})`);
    area += ((b.labels - a.labels) * (a.value + b.value)) / 2;
  }
  return area / (points[points.length - 1]!.labels - points[0]!.labels);
}

export interface MeanSd {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value, NaN for none. */
  sd: number;
  n: number;
}

/** Mean and sample standard deviation. Example: [1, 2, 3, 4] → mean 2.5, sd √(5/3) ≈ 1.2910. */
export function meanSd(values: readonly number[]): MeanSd {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN, n: 0 };
  let s = 0;
  for (const v of values) s += v;
  const mean = s / n;
  if (n === 1) return { mean, sd: 0, n };
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}

/** Two-sided 97.5% quantiles of Student's t for 1–30 degrees of freedom (standard tables). */
const T975 = [
  12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
  2.200985, 2.178813, 2.160369, 2.144787, 2.13145, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
  2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.04523, 2.042272,
];

/**
 * t_{0.975, df}: the table above up to 30 degrees of freedom, beyond it the
 * Cornish–Fisher expansion around z = 1.959964 (error < 1e-5 for df > 30).
 */
export function tQuantile975(df: number): number {
  if (!(Number.isInteger(df) && df >= 1)) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= 30) return T975[df - 1]!;
  const z = 1.959963985;
  const z3 = z ** 3, z5 = z ** 5, z7 = z ** 7;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

export interface PairedInterval {
  /** Mean of the paired differences a − b. */
  mean: number;
  /** 95% interval, mean ± t_{0.975, n−1} · sd / √n; null with fewer than 2 pairs. */
  low: number | null;
  high: number | null;
  /** Number of pairs used. */
  n: number;
}

/**
 * Paired difference a − b over seeds with a 95% Student-t interval (the seeds are
 * the pairs: same initial labels and test set for both). Pairs where either side is
 * null (e.g. a target never reached) are left out. Example: a = [3, 5, 4],
 * b = [1, 2, 3] → d = [2, 3, 1], mean 2, sd 1, half-width 4.302653 / √3 ≈ 2.4841.
 */
export function pairedInterval(a: readonly (number | null)[], b: readonly (number | null)[]): PairedInterval {
  if (a.length !== b.length) throw new RangeError(`pairedInterval: ${a.length} values against ${b.length}`);
  const d: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x === null || x === undefined || y === null || y === undefined) continue;
    d.push(x - y);
  }
  const s = meanSd(d);
  if (s.n < 2) return { mean: s.n === 1 ? s.mean : NaN, low: null, high: null, n: s.n };
  const half = (tQuantile975(s.n - 1) * s.sd) / Math.sqrt(s.n);
  return { mean: s.mean, low: s.mean - half, high: s.mean + half, n: s.n };
}

/**
 * Mean ± sd over seeds at each label count of several curves (curves may stop at
 * different label counts; each count averages the curves that have it).
 */
export function curveBand(curves: readonly (readonly CurvePoint[])[], metric: 'accuracy' | 'macroF1' = 'accuracy'): { labels: number; mean: number; sd: number; n: number }[] {
  const at = new Map<number, number[]>();
  for (const c of curves) for (const p of c) {
    let v = at.get(p.labels);
    if (!v) at.set(p.labels, (v = []));
    v.push(p[metric]);
  }
  return [...at.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([labels, v]) => {
      const s = meanSd(v);
      return { labels, mean: s.mean, sd: s.sd, n: s.n };
    });
}
