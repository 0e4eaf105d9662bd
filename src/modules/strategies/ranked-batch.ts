/**
 * Ranked batch-mode sampling (Cardoso et al. 2017, "Ranked batch-mode active
 * learning", Information Sciences), as implemented in modAL's `uncertainty_batch_sampling`.
 */
import type { Rng } from '../../core/random.js';
import { fitBudget, maxWorkOf, sqDist, updateMinSqDist, workingSet } from './geometry.js';
import { emptySelection } from './topk.js';
import type { Embeddings, PoolOptions, Selection, WorkOptions } from './types.js';
import { resolvePool, validateEmbeddings, validateK, validateRowScores } from './validate.js';

/**
 * Picks one item at a time by
 *   score_i = α · (1 − sim_i) + (1 − α) · uncertainty_i,
 *   sim_i = 1 / (1 + min_{j ∈ labelled ∪ picked} ‖x_i − x_j‖)   (modAL's default, Euclidean),
 *   α = |unlabelled| / (|unlabelled| + |labelled|), recomputed before each pick with
 *   the picks moved from unlabelled to labelled (as modAL does).
 * Each candidate's nearest distance to labelled ∪ picked is updated incrementally
 * after every pick, so the batch costs O((|labelled| + k) · n · dim), not modAL's
 * O(k · n · (|labelled| + k) · dim).
 *
 * With no labelled rows, modAL starts from the item of least mean distance to the
 * pool (O(n²)); here the first pick is the candidate nearest the candidates' mean
 * (O(n · dim)), scored α · 1 (sim to the empty set is 0). Deterministic (ties →
 * lower row) unless `maxWork` forces a seeded sample (geometry.ts `fitBudget`).
 * Ranking: pick order; `score[r]` is the r-th pick's score when picked.
 *
 * Example (dim 1): x = [0, 1, 4, 5], labelled = [0], uncertainty = [0, 0.9, 0.2, 0.5], k = 3.
 * α = 3/4: scores 0.6, 0.65, 0.75 → row 3; α = 2/4: row 1 0.7, row 2 0.35 → row 1;
 * α = 1/4: row 2 0.275. Result index [3, 1, 2], score [0.75, 0.7, 0.275]
 * (uncertainty alone would give [1, 3, 2]).
 */
export function rankedBatch(
  e: Embeddings,
  uncertainty: Float64Array,
  k: number,
  rng: Rng,
  opts: PoolOptions & WorkOptions = {},
): Selection {
  validateEmbeddings(e);
  validateRowScores(uncertainty, e.rows);
  validateK(k);
  const pool = resolvePool(e.rows, opts);
  if (k === 0 || pool.candidates.length === 0) return emptySelection();
  const { candidates, labelled } = fitBudget(pool.candidates, pool.labelled, k, e.dim, maxWorkOf(opts.maxWork), rng);
  const w = workingSet(e, candidates, labelled), X = w.e.data, d = e.dim, at = w.rows, dist2 = sqDist;
  const m = candidates.length, n = Math.min(k, m);
  const total = pool.candidates.length + pool.labelled.length;
  const minD = new Float64Array(m).fill(Infinity), owner = new Int32Array(m), chosen = new Uint8Array(m);
  for (let t = 0; t < w.labelled.length; t++) updateMinSqDist(w.e, at, w.labelled[t]!, minD, owner, 0);
  const index = new Int32Array(n), score = new Float64Array(n);
  let next = -1, nextScore = 0, j = 0;
  if (labelled.length === 0) {
    next = nearestToMean(X, d, at);
    nextScore = 1; // α = 1, sim = 0
  }
  for (;;) {
    if (next >= 0) {
      index[j] = candidates[next]!;
      score[j] = nextScore;
      chosen[next] = 1;
      if (++j === n) break;
    }
    // One fused pass: lower the nearest distances by the last pick, then score and argmax.
    const alpha = (pool.candidates.length - j) / total;
    const po = next >= 0 ? at[next]! * d : -1;
    let best = -1, bestScore = -Infinity;
    for (let t = 0; t < m; t++) {
      if (chosen[t] !== 0) continue;
      if (po >= 0) {
        const dist = dist2(X, at[t]! * d, po, d);
        if (dist < minD[t]!) minD[t] = dist;
      }
      const sim = minD[t] === Infinity ? 0 : 1 / (1 + Math.sqrt(minD[t]!));
      const s = alpha * (1 - sim) + (1 - alpha) * uncertainty[candidates[t]!]!;
      if (s > bestScore) {
        bestScore = s;
        best = t;
      }
    }
    next = best;
    nextScore = bestScore;
  }
  return { index, score };
}

/** Position (in `rows`) of the row nearest the rows' mean; ties → lower position. */
function nearestToMean(X: Float32Array, d: number, rows: Int32Array): number {
  const mean = new Float32Array(d), acc = new Float64Array(d);
  for (let t = 0; t < rows.length; t++) {
    const o = rows[t]! * d;
    for (let c = 0; c < d; c++) acc[c] = acc[c]! + X[o + c]!;
  }
  for (let c = 0; c < d; c++) mean[c] = acc[c]! / rows.length;
  let best = 0, bestD = Infinity;
  for (let t = 0; t < rows.length; t++) {
    const o = rows[t]! * d;
    let s = 0;
    for (let c = 0; c < d; c++) {
      const diff = X[o + c]! - mean[c]!;
      s += diff * diff;
    }
    if (s < bestD) {
      bestD = s;
      best = t;
    }
  }
  return best;
}
