/**
 * Information density (Settles & Craven 2008, "An Analysis of Active Learning
 * Strategies for Sequence Labeling Tasks", EMNLP).
 */
import { topK } from './topk.js';
import type { Embeddings, PoolOptions, Selection } from './types.js';
import { checkNumber, resolvePool, validateEmbeddings, validateK, validateRowScores } from './validate.js';

/**
 * Mean cosine similarity of each row to the rows of `pool` (the row itself
 * included), `(1/|U|) Σ_{u ∈ U} cos(x_i, x_u)`, for every row of `e` (Float64Array).
 *
 * Exact in O((n + |U|) · dim): cos(x_i, x_u) = x̂_i · x̂_u, so the mean over U is
 * x̂_i · μ with μ = (1/|U|) Σ_u x̂_u. No pairwise pass and no sampling is needed
 * (a seeded sample of m points would cost O(n · m · dim) and only estimate this).
 * A zero vector has similarity 0 to everything.
 * Example: x = [[1, 0], [1, 0], [0, 1]], pool = all → μ = [2/3, 1/3] → [2/3, 2/3, 1/3].
 */
export function meanCosineSimilarity(e: Embeddings, pool: Int32Array): Float64Array {
  const { rows, dim: d, data: X } = e;
  const mu = new Float64Array(d), out = new Float64Array(rows);
  if (pool.length === 0) return out;
  for (let t = 0; t < pool.length; t++) {
    const o = pool[t]! * d;
    const nrm = norm(X, o, d);
    if (nrm > 0) for (let c = 0; c < d; c++) mu[c] = mu[c]! + X[o + c]! / nrm;
  }
  for (let c = 0; c < d; c++) mu[c] = mu[c]! / pool.length;
  for (let i = 0, o = 0; i < rows; i++, o += d) {
    const nrm = norm(X, o, d);
    if (nrm === 0) continue;
    let s = 0;
    for (let c = 0; c < d; c++) s += X[o + c]! * mu[c]!;
    out[i] = s / nrm;
  }
  return out;
}

function norm(X: Float32Array, o: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += X[o + c]! * X[o + c]!;
  return Math.sqrt(s);
}

/**
 * Information density: `score_i = uncertainty_i × density_i^β`, density = mean
 * cosine similarity to the candidate pool ({@link meanCosineSimilarity}, exact),
 * clamped at 0 (negative mean similarity would make ^β undefined). β ≥ 0,
 * default 1; β = 0 is plain uncertainty. Then {@link topK} (ties → lower row), so
 * `score` is non-increasing. Deterministic, O(n · dim).
 *
 * Example (dim 2): x = [[1, 0], [1, 0], [0, 1]], uncertainty [0.5, 0.5, 0.9], β = 1
 * → μ = [2/3, 1/3], density [2/3, 2/3, 1/3], score [1/3, 1/3, 0.3] → index [0, 1, 2]:
 * the outlier row 2, most uncertain, drops to last.
 */
export function densityWeighted(
  e: Embeddings,
  uncertainty: Float64Array,
  k: number,
  opts: PoolOptions & { beta?: number } = {},
): Selection {
  validateEmbeddings(e);
  validateRowScores(uncertainty, e.rows);
  validateK(k);
  const beta = opts.beta === undefined ? 1 : checkNumber('beta', opts.beta, 0, 1e6);
  const { candidates } = resolvePool(e.rows, opts);
  const density = meanCosineSimilarity(e, candidates);
  const score = new Float64Array(e.rows);
  for (let t = 0; t < candidates.length; t++) {
    const i = candidates[t]!;
    const dens = density[i]! > 0 ? density[i]! : 0;
    score[i] = uncertainty[i]! * (beta === 1 ? dens : beta === 0 ? 1 : Math.pow(dens, beta));
  }
  return topK(score, k, { candidates });
}
