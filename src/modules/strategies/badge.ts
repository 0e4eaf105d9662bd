/**
 * BADGE, Batch Active learning by Diverse Gradient Embeddings (Ash et al. 2020,
 * "Deep Batch Active Learning by Diverse, Uncertain Gradient Lower Bounds", ICLR).
 */
import type { Rng } from '../../core/random.js';
import { dot, fitBudget, kmeansPlusPlus, maxWorkOf, workingSet } from './geometry.js';
import { emptySelection } from './topk.js';
import type { Embeddings, PoolOptions, Probabilities, Selection, WorkOptions } from './types.js';
import { resolvePool, validateEmbeddings, validateK, validateProbabilities } from './validate.js';

/** a = p − onehot(ŷ) for one row, ŷ = argmax p (ties → lower label), written into `out` at `oo`. */
function residual(p: Probabilities, row: number, out: Float64Array, oo: number): void {
  const { labels, data } = p;
  const o = row * labels;
  let best = 0;
  for (let j = 1; j < labels; j++) if (data[o + j]! > data[o + best]!) best = j;
  for (let j = 0; j < labels; j++) out[oo + j] = data[o + j]! - (j === best ? 1 : 0);
}

/**
 * The gradient embedding of one row, g = (p − onehot(ŷ)) ⊗ x, labels·dim values
 * (label-major). Materialised only for tests and debugging; {@link badge} never
 * builds the n × (labels·dim) matrix.
 */
export function gradientEmbedding(p: Probabilities, e: Embeddings, row: number): Float64Array {
  const a = new Float64Array(p.labels);
  residual(p, row, a, 0);
  const g = new Float64Array(p.labels * e.dim);
  for (let j = 0; j < p.labels; j++) {
    for (let c = 0; c < e.dim; c++) g[j * e.dim + c] = a[j]! * e.data[row * e.dim + c]!;
  }
  return g;
}

/**
 * BADGE: the last-layer gradient of the loss at the model's own prediction ŷ is
 * g_i = (p_i − onehot(ŷ_i)) ⊗ x_i; its norm grows with uncertainty and its
 * direction carries the representation. k-means++ seeding over the g_i picks a
 * batch that is both uncertain and diverse. As in the authors' code, the first
 * pick is the largest ‖g‖ (ties → lower row), the rest are D²-sampled (seeded).
 *
 * Distances use ‖g_i − g_j‖² = ‖a_i‖²‖x_i‖² + ‖a_j‖²‖x_j‖² − 2 (a_i·a_j)(x_i·x_j)
 * with a = p − onehot(ŷ): O(labels + dim) per pair, O(n · labels) memory, never
 * the n × (labels·dim) matrix. Total O(k · n · (labels + dim)). The `embeddings`
 * stand for the model's penultimate-layer features x.
 *
 * Ranking: pick order. `score[r]` is the squared gradient distance of the r-th
 * pick to the earlier picks when it was drawn (‖g‖² for the first).
 * Budget: above `maxWork`, a seeded uniform sample of the candidates (geometry.ts).
 *
 * Example (2 labels, dim 1): p = [[0.9, 0.1], [0.6, 0.4], [0.5, 0.5]], x = [1, 1, 2]
 * → a = [[−0.1, 0.1], [−0.4, 0.4], [−0.5, 0.5]], ‖g‖² = [0.02, 0.32, 2]: row 2 first
 * (score 2); then D² to it = [1.62, 0.72], so row 0 follows with probability
 * 1.62 / 2.34 ≈ 0.69, row 1 with ≈ 0.31.
 */
export function badge(
  p: Probabilities,
  e: Embeddings,
  k: number,
  rng: Rng,
  opts: PoolOptions & WorkOptions = {},
): Selection {
  validateProbabilities(p);
  validateEmbeddings(e, p.rows);
  validateK(k);
  const pool = resolvePool(p.rows, opts);
  if (k === 0 || pool.candidates.length === 0) return emptySelection();
  const L = p.labels, d = e.dim;
  const { candidates } = fitBudget(pool.candidates, new Int32Array(0), k, L + d, maxWorkOf(opts.maxWork), rng);
  const m = candidates.length;
  const w = workingSet(e, candidates, new Int32Array(0)), X = w.e.data, at = w.rows, dotRows = dot;
  const a = new Float64Array(m * L), aa = new Float64Array(m), xx = new Float64Array(m);
  let first = 0;
  for (let t = 0; t < m; t++) {
    const row = candidates[t]!;
    residual(p, row, a, t * L);
    let s = 0;
    for (let j = 0; j < L; j++) s += a[t * L + j]! * a[t * L + j]!;
    aa[t] = s;
    xx[t] = dot(X, at[t]! * d, X, at[t]! * d, d);
    if (aa[t]! * xx[t]! > aa[first]! * xx[first]!) first = t;
  }
  const { seeds, weight } = kmeansPlusPlus(m, k, first, aa[first]! * xx[first]!, rng, (s, j, minD, owner) => {
    const gs = aa[s]! * xx[s]!, so = s * L, sx = at[s]! * d;
    for (let t = 0; t < m; t++) {
      let ad = 0;
      for (let c = 0; c < L; c++) ad += a[t * L + c]! * a[so + c]!;
      let dist = aa[t]! * xx[t]! + gs - 2 * ad * dotRows(X, at[t]! * d, X, sx, d);
      if (dist < 0) dist = 0;
      if (dist < minD[t]!) {
        minD[t] = dist;
        owner[t] = j;
      }
    }
  });
  const index = new Int32Array(seeds.length);
  for (let r = 0; r < seeds.length; r++) index[r] = candidates[seeds[r]!]!;
  return { index, score: weight };
}
