/**
 * The simulation's softmax model: multinomial logistic regression — the same model
 * as the built-in `softmax` (one dense layer + softmax) — fitted full-batch by
 * L-BFGS to scikit-learn's `LogisticRegression(C)` objective
 *
 *   f(W, b) = (1 / Σw) Σᵢ wᵢ · CE(softmax(xᵢW + b), yᵢ) + λ‖W‖²,   λ = 1 / (2·C·Σw)
 *
 * (the intercept is not penalised; wᵢ = 1, or bootstrap counts for committee members),
 * stopping at max |∇f| ≤ gtol or maxIter iterations, as sklearn does (tol 1e-4,
 * max_iter 100). A fit can start from the previous round's weights (warm start): the
 * objective is convex, so warm and cold fits reach the same optimum when they converge.
 *
 * Dense features: the two products X·W and Xᵀ·D run as TF.js matMuls (wasm SIMD;
 * 5× a scalar JS loop on mnist), the softmax, loss and penalty in float64 on the JS side.
 * Sparse (text) features: the products run over the non-zeros in JS (never densified).
 */
import type { Probabilities } from '../../core/labels.js';
import { isSparseRows, type SparseRows } from '../models/featurize/index.js';
import { tf, type DenseMatrix, type FeatureMatrix } from '../models/tfjs/index.js';
import { lbfgs, type LbfgsResult } from './lbfgs.js';

export interface SoftmaxOptions {
  /** Inverse regularisation strength, as scikit-learn's C (default 1). */
  C?: number;
  /** L-BFGS iterations at most per fit (default 100, sklearn's max_iter). */
  maxIter?: number;
  /** Gradient tolerance (default 1e-4, sklearn's tol). */
  gtol?: number;
}

export interface FitReport {
  iterations: number;
  evaluations: number;
  reason: LbfgsResult['reason'];
  ms: number;
}

/** Rows per TF.js matMul when predicting a dense matrix (bounds the tensor size). */
const PREDICT_CHUNK = 8192;

/** log Σ_c exp(z[o + c] + bias[c]) of one row, in float64, with the row's maximum taken out first (no overflow). */
function rowLogSumExp(z: Float32Array, o: number, k: number, bias: Float64Array): number {
  let m = -Infinity;
  for (let c = 0; c < k; c++) {
    const v = z[o + c]! + bias[c]!;
    if (v > m) m = v;
  }
  let s = 0;
  for (let c = 0; c < k; c++) s += Math.exp(z[o + c]! + bias[c]! - m);
  return m + Math.log(s);
}

/** Row-wise softmax of logits (+ bias), in float64, written as float32 probabilities. */
function softmaxRows(z: Float32Array, rows: number, k: number, bias: Float64Array): Float32Array {
  const out = new Float32Array(rows * k);
  for (let r = 0, o = 0; r < rows; r++, o += k) {
    const lse = rowLogSumExp(z, o, k, bias);
    for (let c = 0; c < k; c++) out[o + c] = Math.exp(z[o + c]! + bias[c]! - lse);
  }
  return out;
}

/** x·W for sparse rows (W is d × k row-major, float64), into a rows × k float32 array. */
function sparseTimes(x: SparseRows, rows: ArrayLike<number> | null, W: ArrayLike<number>, k: number): Float32Array {
  const n = rows ? rows.length : x.rows;
  const out = new Float32Array(n * k);
  const acc = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i]! : i;
    acc.fill(0);
    for (let p = x.indptr[r]!, e = x.indptr[r + 1]!; p < e; p++) {
      const v = x.values[p]!, wo = x.indices[p]! * k;
      for (let c = 0; c < k; c++) acc[c]! += v * W[wo + c]!;
    }
    for (let c = 0; c < k; c++) out[i * k + c] = acc[c]!;
  }
  return out;
}

/** Dense rows (given order) of a matrix as one row-major block. */
export function gatherDense(x: DenseMatrix, rows: ArrayLike<number>): Float32Array {
  const d = x.cols;
  const out = new Float32Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out.set(x.data.subarray(r * d, r * d + d), i * d);
  }
  return out;
}

/** A dense matrix kept on the TF.js device in row chunks, for repeated predictions. */
class DeviceMatrix {
  readonly chunks: { start: number; x: tf.Tensor2D }[] = [];
  constructor(readonly m: DenseMatrix) {
    for (let s = 0; s < m.rows; s += PREDICT_CHUNK) {
      const e = Math.min(m.rows, s + PREDICT_CHUNK);
      this.chunks.push({ start: s, x: tf.tensor2d(m.data.subarray(s * m.cols, e * m.cols), [e - s, m.cols]) });
    }
  }
  /** X · W (rows × k, float32); W is d × k. */
  times(W: tf.Tensor2D, k: number): Float32Array {
    const out = new Float32Array(this.m.rows * k);
    for (const c of this.chunks) {
      const z = tf.matMul(c.x, W);
      out.set(z.dataSync() as Float32Array, c.start * k);
      z.dispose();
    }
    return out;
  }
  dispose(): void {
    for (const c of this.chunks) c.x.dispose();
    this.chunks.length = 0;
  }
}

type FitOptions = SoftmaxOptions & { start?: Float64Array; weights?: Float64Array };

/** Rows of a sparse matrix with their columns renumbered 0..m−1 (ascending); `cols` maps back. */
export function compactColumns(x: SparseRows, rows: ArrayLike<number>): { sub: SparseRows; cols: Int32Array } {
  const seen = new Uint8Array(x.dim);
  let nnz = 0;
  for (let i = 0; i < rows.length; i++) {
    for (let p = x.indptr[rows[i]!]!, e = x.indptr[rows[i]! + 1]!; p < e; p++) seen[x.indices[p]!] = 1;
    nnz += x.indptr[rows[i]! + 1]! - x.indptr[rows[i]!]!;
  }
  let m = 0;
  for (let j = 0; j < x.dim; j++) if (seen[j]) m++;
  const cols = new Int32Array(m);
  const local = new Int32Array(x.dim);
  for (let j = 0, t = 0; j < x.dim; j++) if (seen[j]) (cols[t] = j), (local[j] = t++);
  const indptr = new Int32Array(rows.length + 1), indices = new Int32Array(nnz), values = new Float32Array(nnz);
  for (let i = 0, o = 0; i < rows.length; i++) {
    for (let p = x.indptr[rows[i]!]!, e = x.indptr[rows[i]! + 1]!; p < e; p++, o++) {
      indices[o] = local[x.indices[p]!]!;
      values[o] = x.values[p]!;
    }
    indptr[i + 1] = o;
  }
  return { sub: { rows: rows.length, dim: Math.max(1, m), indptr, indices, values }, cols };
}

/** Fits and predictions for one feature width and class count; keeps dense matrices it predicted on the device. */
export class SoftmaxModel {
  readonly d: number;
  readonly size: number;
  private readonly device = new Map<FeatureMatrix, DeviceMatrix>();

  constructor(readonly k: number, sample: FeatureMatrix) {
    this.d = isSparseRows(sample) ? sample.dim : sample.cols;
    this.size = this.d * k + k;
  }

  /** Zero weights (what a cold fit starts from, as sklearn). */
  zeros(): Float64Array {
    return new Float64Array(this.size);
  }

  /**
   * Fit on `rows` of `x` with class targets `y` (one per row) and optional row
   * weights, starting from `start` (warm start) or zeros. Returns the parameters
   * [W (d × k, row-major), b (k)].
   */
  fit(x: FeatureMatrix, rows: Int32Array, y: Int32Array, opts: FitOptions = {}): { theta: Float64Array; report: FitReport } {
    if (!isSparseRows(x)) return this.fitOn(x, rows, y, this.d, opts);
    // Sparse rows: only the columns the fitted rows use can have non-zero weights at the
    // optimum (elsewhere the gradient is the L2 term alone), so the fit runs over those
    // columns (~40k of 2^18 for 400 e-mails) and the result is scattered back.
    const { k, d } = this;
    const { sub, cols } = compactColumns(x, rows);
    const m = cols.length;
    let start: Float64Array | undefined;
    if (opts.start) {
      start = new Float64Array(m * k + k);
      for (let j = 0; j < m; j++) for (let c = 0; c < k; c++) start[j * k + c] = opts.start[cols[j]! * k + c]!;
      for (let c = 0; c < k; c++) start[m * k + c] = opts.start[d * k + c]!;
    }
    const local = Int32Array.from({ length: rows.length }, (_, i) => i);
    const r = this.fitOn(sub, local, y, m, { ...opts, ...(start ? { start } : {}) });
    const theta = new Float64Array(this.size);
    for (let j = 0; j < m; j++) for (let c = 0; c < k; c++) theta[cols[j]! * k + c] = r.theta[j * k + c]!;
    for (let c = 0; c < k; c++) theta[d * k + c] = r.theta[m * k + c]!;
    return { theta, report: r.report };
  }

  private fitOn(x: FeatureMatrix, rows: Int32Array, y: Int32Array, d: number, opts: FitOptions): { theta: Float64Array; report: FitReport } {
    const t0 = performance.now();
    const { k } = this;
    const C = opts.C ?? 1;
    if (!(C > 0)) throw new RangeError(`C must be positive, got ${C}`);
    const n = rows.length;
    if (y.length !== n) throw new RangeError(`fit: ${n} rows but ${y.length} targets`);
    const w = opts.weights ?? new Float64Array(n).fill(1);
    let wsum = 0;
    for (let i = 0; i < n; i++) wsum += w[i]!;
    if (!(wsum > 0)) throw new RangeError('fit: no training rows');
    const lambda = 1 / (2 * C * wsum);
    const dk = d * k;
    const bias = new Float64Array(k);
    const D = new Float32Array(n * k);

    /** Loss part from logits z (without bias); fills D = w·(P − Y)/Σw. */
    const lossAndResidual = (z: Float32Array): number => {
      let loss = 0;
      for (let i = 0, o = 0; i < n; i++, o += k) {
        const lse = rowLogSumExp(z, o, k, bias);
        const yi = y[i]!, wi = w[i]! / wsum;
        loss += wi * (lse - (z[o + yi]! + bias[yi]!));
        for (let c = 0; c < k; c++) D[o + c] = wi * (Math.exp(z[o + c]! + bias[c]! - lse) - (c === yi ? 1 : 0));
      }
      return loss;
    };

    let fg: (theta: Float64Array, grad: Float64Array) => number;
    let cleanup = (): void => {};
    if (isSparseRows(x)) {
      fg = (theta, grad) => {
        for (let c = 0; c < k; c++) bias[c] = theta[dk + c]!;
        const z = sparseTimes(x, rows, theta, k);
        let f = lossAndResidual(z);
        grad.fill(0);
        for (let i = 0; i < n; i++) {
          const r = rows[i]!;
          for (let p = x.indptr[r]!, e = x.indptr[r + 1]!; p < e; p++) {
            const v = x.values[p]!, go = x.indices[p]! * k;
            for (let c = 0; c < k; c++) grad[go + c]! += v * D[i * k + c]!;
          }
        }
        f += penalty(theta, grad);
        return f;
      };
    } else {
      const block = gatherDense(x, rows);
      const X = tf.tensor2d(block, [n, d]);
      const XT = tf.transpose(X);
      const W32 = new Float32Array(dk);
      cleanup = () => tf.dispose([X, XT]);
      fg = (theta, grad) => {
        for (let j = 0; j < dk; j++) W32[j] = theta[j]!;
        for (let c = 0; c < k; c++) bias[c] = theta[dk + c]!;
        const Wt = tf.tensor2d(W32, [d, k]);
        const Z = tf.matMul(X, Wt);
        let f = lossAndResidual(Z.dataSync() as Float32Array);
        const Dt = tf.tensor2d(D, [n, k]);
        const G = tf.matMul(XT, Dt);
        const g = G.dataSync() as Float32Array;
        tf.dispose([Wt, Z, Dt, G]);
        for (let j = 0; j < dk; j++) grad[j] = g[j]!;
        f += penalty(theta, grad);
        return f;
      };
    }
    /** λ‖W‖² and its gradient 2λW (added into grad), plus the bias gradient Σᵢ Dᵢ. */
    const penalty = (theta: Float64Array, grad: Float64Array): number => {
      let sq = 0;
      for (let j = 0; j < dk; j++) {
        const v = theta[j]!;
        sq += v * v;
        grad[j]! += 2 * lambda * v;
      }
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += D[i * k + c]!;
        grad[dk + c] = s;
      }
      return lambda * sq;
    };
    try {
      const r = lbfgs(fg, opts.start ?? new Float64Array(dk + k), { gtol: opts.gtol ?? 1e-4, maxIter: opts.maxIter ?? 100 });
      return { theta: r.x, report: { iterations: r.iterations, evaluations: r.evaluations, reason: r.reason, ms: performance.now() - t0 } };
    } finally {
      cleanup();
    }
  }

  /** Class probabilities of every row of `x` (rows × k). Dense matrices stay on the device between calls. */
  predict(x: FeatureMatrix, theta: Float64Array): Probabilities {
    const { d, k } = this;
    const bias = theta.subarray(d * k);
    let z: Float32Array;
    if (isSparseRows(x)) z = sparseTimes(x, null, theta, k);
    else {
      let dev = this.device.get(x);
      if (!dev) this.device.set(x, (dev = new DeviceMatrix(x)));
      const W = tf.tensor2d(Float32Array.from(theta.subarray(0, d * k)), [d, k]);
      try {
        z = dev.times(W, k);
      } finally {
        W.dispose();
      }
    }
    return { rows: x.rows, labels: k, data: softmaxRows(z, x.rows, k, bias) };
  }

  dispose(): void {
    for (const dev of this.device.values()) dev.dispose();
    this.device.clear();
  }
}
