/**
 * What the training loop optimises and watches: targets, the seeded validation
 * split, class weights, the weighted loss, held-out evaluation and feature
 * standardisation. Split from train.ts, which runs the loop.
 */
import { ValidationError } from '../../../core/errors.js';
import { shuffleInPlace, type Rng } from '../../../core/random.js';
import { tf } from './backend.js';
import { isDense, type FeatureMatrix } from './matrix.js';
import type { ModelSpec } from './model.js';
import { logitsInChunks } from './predict.js';

/** Targets: class indexes (single-label), or rows × labels multi-hot 0/1 (multi-label). */
export type Targets = Int32Array | Uint8Array | Float32Array;

export interface Prepared {
  /** Single-label: class per row; multi-label: row-major multi-hot. */
  y: Int32Array | Float32Array;
  n: number;
  k: number;
}

export function prepareTargets(y: Targets, k: number, multiLabel: boolean): Prepared {
  if (multiLabel) {
    if (!(y instanceof Uint8Array || y instanceof Float32Array || y instanceof Int32Array)) throw new ValidationError('y must be a typed array');
    if (y.length % k !== 0) throw new ValidationError(`multi-label y has ${y.length} values, not a multiple of ${k} labels`);
    const out = new Float32Array(y.length);
    for (let i = 0; i < y.length; i++) {
      const v = y[i]!;
      if (v !== 0 && v !== 1) throw new ValidationError(`multi-label y[${i}] is ${v}, not 0 or 1`);
      out[i] = v;
    }
    return { y: out, n: y.length / k, k };
  }
  if (!(y instanceof Int32Array)) throw new ValidationError('single-label y must be an Int32Array of class indexes');
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!(v >= 0 && v < k)) throw new ValidationError(`y[${i}] is ${v}, not a label index in [0, ${k})`, [{ field: `y[${i}]`, message: 'label index out of range' }]);
  }
  return { y, n: y.length, k };
}

/** Seeded validation slice: stratified by class for single-label, plain random for multi-label. */
export function splitRows(t: Prepared, multiLabel: boolean, fraction: number, rng: Rng): { train: Int32Array; val: Int32Array } {
  const all = new Int32Array(t.n);
  for (let i = 0; i < t.n; i++) all[i] = i;
  shuffleInPlace(all, rng);
  if (fraction <= 0) return { train: all, val: new Int32Array(0) };
  const isVal = new Uint8Array(t.n);
  if (multiLabel) {
    const m = Math.round(fraction * t.n);
    for (let i = 0; i < m; i++) isVal[all[i]!] = 1;
  } else {
    const counts = new Int32Array(t.k);
    for (let i = 0; i < t.n; i++) counts[(t.y as Int32Array)[i]!]!++;
    const want = Array.from(counts, (c) => Math.round(fraction * c));
    for (const r of all) {
      const c = (t.y as Int32Array)[r]!;
      if (want[c]! > 0) {
        want[c]!--;
        isVal[r] = 1;
      }
    }
  }
  const val = all.filter((r) => isVal[r] === 1);
  const train = all.filter((r) => isVal[r] === 0);
  if (train.length === 0) return { train: all, val: new Int32Array(0) };
  return { train, val };
}

/** Per-class weights (single-label) or per-label [positive, negative] weights (multi-label), over `rows`. */
export function classWeights(t: Prepared, rows: Int32Array, mode: 'balanced' | 'none', multiLabel: boolean): { pos: Float32Array; neg: Float32Array } {
  const pos = new Float32Array(t.k).fill(1);
  const neg = new Float32Array(t.k).fill(1);
  if (mode === 'none') return { pos, neg };
  const n = rows.length;
  if (multiLabel) {
    for (let j = 0; j < t.k; j++) {
      let p = 0;
      for (const r of rows) p += (t.y as Float32Array)[r * t.k + j]!;
      if (p > 0 && p < n) {
        pos[j] = n / (2 * p);
        neg[j] = n / (2 * (n - p));
      }
    }
    return { pos, neg };
  }
  const counts = new Int32Array(t.k);
  for (const r of rows) counts[(t.y as Int32Array)[r]!]!++;
  const present = counts.filter((c) => c > 0).length;
  for (let j = 0; j < t.k; j++) pos[j] = counts[j]! > 0 ? n / (present * counts[j]!) : 0;
  return { pos, neg };
}

/** Targets and loss weights of some rows, as tensors. */
export function uploadTargets(t: Prepared, rows: ArrayLike<number>, w: { pos: Float32Array; neg: Float32Array }, multiLabel: boolean): { y: tf.Tensor2D; w: tf.Tensor } {
  const n = rows.length, k = t.k;
  if (multiLabel) {
    const y = new Float32Array(n * k);
    const ww = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      for (let j = 0; j < k; j++) {
        const v = (t.y as Float32Array)[r * k + j]!;
        y[i * k + j] = v;
        ww[i * k + j] = v ? w.pos[j]! : w.neg[j]!;
      }
    }
    return { y: tf.tensor2d(y, [n, k]), w: tf.tensor2d(ww, [n, k]) };
  }
  const y = new Float32Array(n * k);
  const ww = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = (t.y as Int32Array)[rows[i]!]!;
    y[i * k + c] = 1;
    ww[i] = w.pos[c]!;
  }
  return { y: tf.tensor2d(y, [n, k]), w: tf.tensor1d(ww) };
}

/** Weighted data loss summed over the batch rows (divide by the row count for a mean). */
export function batchLossSum(logits: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor, multiLabel: boolean): tf.Scalar {
  if (multiLabel) {
    // Numerically stable BCE with logits: max(x, 0) − x·z + log(1 + e^−|x|).
    const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.sum(tf.mul(bce, w));
  }
  const ce = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1));
  return tf.sum(tf.mul(ce, w));
}

/** Loss and accuracy on held-out rows, from logits computed in chunks (float64 on the JS side). */
export function evaluate(
  model: { spec: ModelSpec; weights: readonly tf.Tensor[] },
  x: FeatureMatrix,
  rows: Int32Array,
  t: Prepared,
  w: { pos: Float32Array; neg: Float32Array },
  multiLabel: boolean,
  firstLayer?: (rows: ArrayLike<number>) => Float32Array,
): { loss: number; accuracy: number } {
  const logits = logitsInChunks(model, x, rows, firstLayer);
  const k = t.k;
  let loss = 0, hits = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const o = i * k;
    if (multiLabel) {
      for (let j = 0; j < k; j++) {
        const z = logits[o + j]!, v = (t.y as Float32Array)[r * k + j]!;
        loss += (v ? w.pos[j]! : w.neg[j]!) * (Math.max(z, 0) - z * v + Math.log1p(Math.exp(-Math.abs(z))));
        if (z > 0 === (v === 1)) hits++;
      }
    } else {
      let m = -Infinity, arg = 0;
      for (let j = 0; j < k; j++) if (logits[o + j]! > m) (m = logits[o + j]!), (arg = j);
      let s = 0;
      for (let j = 0; j < k; j++) s += Math.exp(logits[o + j]! - m);
      const c = (t.y as Int32Array)[r]!;
      loss += w.pos[c]! * (Math.log(s) + m - logits[o + c]!);
      if (arg === c) hits++;
    }
  }
  return { loss: loss / rows.length, accuracy: hits / (rows.length * (multiLabel ? k : 1)) };
}

export function standardization(x: FeatureMatrix, rows: Int32Array): { mean: Float32Array; invSd: Float32Array } {
  if (!isDense(x)) throw new ValidationError('standardize needs dense features (sparse rows would lose their sparsity)');
  const d = x.cols;
  const mean = new Float64Array(d), sq = new Float64Array(d);
  for (const r of rows) {
    for (let j = 0; j < d; j++) {
      const v = x.data[r * d + j]!;
      mean[j]! += v;
      sq[j]! += v * v;
    }
  }
  const n = rows.length;
  const m32 = new Float32Array(d), inv = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    const mu = mean[j]! / n;
    const sd = Math.sqrt(Math.max(0, sq[j]! / n - mu * mu));
    m32[j] = mu;
    inv[j] = sd > 1e-12 ? 1 / sd : 1;
  }
  return { mean: m32, invSd: inv };
}
