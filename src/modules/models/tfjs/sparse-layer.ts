/**
 * The first layer of a model trained on sparse rows (featurized text), kept on
 * the JS side during training: z = X · W₀ for a batch costs non-zeros × width, and
 * the update is a *lazy* Adam that touches only the rows of W₀ the batch's
 * non-zeros name (TF Addons' LazyAdam), with the L2 gradient 2λw added to those
 * rows only. Doing this in TF.js instead costs full passes over the whole
 * dimension × width matrix per step (gradient scatter, L2, ~15 Adam kernels): for
 * 2^18 × 2 about 12 ms per step on wasm, for 2^16 × 64 about 100 ms.
 * Deterministic: plain float32 arithmetic in a fixed order.
 */
import type { SparseRows } from '../featurize/index.js';

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-7;

export class SparseFirstLayer {
  /** d × h, row-major (the kernel's layout). */
  readonly w: Float32Array;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private readonly slot: Int32Array;
  private grad: Float32Array;
  private touched: Int32Array;
  private step = 0;

  constructor(
    readonly d: number,
    readonly h: number,
    init: Float32Array,
  ) {
    if (init.length !== d * h) throw new RangeError(`SparseFirstLayer: init has ${init.length} values, expected ${d} × ${h}`);
    this.w = init.slice();
    this.m = new Float32Array(d * h);
    this.v = new Float32Array(d * h);
    this.slot = new Int32Array(d).fill(-1);
    this.grad = new Float32Array(1024 * h);
    this.touched = new Int32Array(1024);
  }

  /** out[i, :] = Σ_p values[p] · W₀[indices[p], :] over row rows[i] of x. */
  forward(x: SparseRows, rows: ArrayLike<number>, out: Float32Array = new Float32Array(rows.length * this.h)): Float32Array {
    const { h, w } = this;
    const { indptr, indices, values } = x;
    out.fill(0, 0, rows.length * h);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const o = i * h;
      const e = indptr[r + 1]!;
      for (let p = indptr[r]!; p < e; p++) {
        const val = values[p]!;
        const base = indices[p]! * h;
        for (let j = 0; j < h; j++) out[o + j] = out[o + j]! + val * w[base + j]!;
      }
    }
    return out;
  }

  /**
   * One lazy Adam step from dL/dz (rows × h, the same rows as the forward pass):
   * g = Xᵀ dz on the touched rows of W₀, plus 2·l2·w there.
   */
  update(x: SparseRows, rows: ArrayLike<number>, dz: Float32Array, lr: number, l2: number): void {
    const { h, w, m, v, slot } = this;
    const { indptr, indices, values } = x;
    let u = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const e = indptr[r + 1]!;
      for (let p = indptr[r]!; p < e; p++) {
        const c = indices[p]!;
        if (slot[c] === -1) {
          if (u === this.touched.length) this.grow();
          slot[c] = u;
          this.touched[u++] = c;
        }
      }
    }
    const g = this.grad;
    const touched = this.touched;
    g.fill(0, 0, u * h);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const o = i * h;
      const e = indptr[r + 1]!;
      for (let p = indptr[r]!; p < e; p++) {
        const val = values[p]!;
        const gs = slot[indices[p]!]! * h;
        for (let j = 0; j < h; j++) g[gs + j] = g[gs + j]! + val * dz[o + j]!;
      }
    }
    this.step++;
    const c1 = 1 - ADAM_BETA1 ** this.step;
    const c2 = 1 - ADAM_BETA2 ** this.step;
    const twoL2 = 2 * l2;
    const b1 = ADAM_BETA1, b2 = ADAM_BETA2, eps = ADAM_EPSILON;
    const stepSize = lr / c1, invC2 = 1 / c2;
    for (let s = 0; s < u; s++) {
      const c = touched[s]!;
      slot[c] = -1;
      const base = c * h, gs = s * h;
      for (let j = 0; j < h; j++) {
        const k = base + j;
        const wk = w[k]!;
        const gr = g[gs + j]! + twoL2 * wk;
        const mk = b1 * m[k]! + (1 - b1) * gr;
        const vk = b2 * v[k]! + (1 - b2) * gr * gr;
        m[k] = mk;
        v[k] = vk;
        w[k] = wk - (stepSize * mk) / (Math.sqrt(vk * invC2) + eps);
      }
    }
  }

  private grow(): void {
    const t = new Int32Array(this.touched.length * 2);
    t.set(this.touched);
    this.touched = t;
    const g = new Float32Array(t.length * this.h);
    g.set(this.grad);
    this.grad = g;
  }
}
