/**
 * Cluster-margin, simplified from Citovsky et al. 2021 ("Batch Active Learning
 * at Scale", NeurIPS).
 */
import type { Rng } from '../../core/random.js';
import { kmeansPlusPlus, maxWorkOf, updateMinSqDist, workingSet } from './geometry.js';
import { emptySelection, rankPicks, rankRows, topK } from './topk.js';
import type { Embeddings, PoolOptions, Selection, WorkOptions } from './types.js';
import { checkNumber, resolvePool, validateEmbeddings, validateK, validateRowScores } from './validate.js';

/**
 * Uncertainty first, then diversity:
 * 1. take the top-m candidates by `uncertainty` (the registry passes the margin score,
 *    as the paper does; m = `topM`, default 10·k; ties → lower row);
 * 2. k-means++ seeding (seeded) picks k centres among them; each of the m points
 *    joins its nearest centre (squared Euclidean), giving k clusters;
 * 3. from each cluster take its most uncertain member (ties → lower row).
 * The k picks are ranked by uncertainty (`score` = uncertainty, non-increasing).
 *
 * Simplifications against Citovsky et al.: the paper clusters the whole pool once
 * with average-linkage HAC and visits clusters smallest-first round-robin; here
 * the clustering is k-means++ seeding over the m uncertain points only, one
 * pick per cluster. Cost O(k · m · dim); above `maxWork`, m shrinks (≥ k).
 *
 * Example (dim 1): x = [0, 0.1, 5, 5.1], uncertainty [0.9, 0.8, 0.7, 0.6], k = 2,
 * topM = 4 → clusters {0, 1} and {2, 3} (k-means++ separates them with
 * probability > 0.999) → index [0, 2], score [0.9, 0.7] where plain top-2 gives [0, 1].
 */
export function clusterMargin(
  e: Embeddings,
  uncertainty: Float64Array,
  k: number,
  rng: Rng,
  opts: PoolOptions & WorkOptions & { topM?: number } = {},
): Selection {
  validateEmbeddings(e);
  validateRowScores(uncertainty, e.rows);
  validateK(k);
  const { candidates } = resolvePool(e.rows, opts);
  if (k === 0 || candidates.length === 0) return emptySelection();
  const topM = opts.topM === undefined ? 10 * k : Math.floor(checkNumber('topM', opts.topM, 1, Number.MAX_SAFE_INTEGER));
  const cap = Math.max(k, Math.floor(maxWorkOf(opts.maxWork) / (k * e.dim)));
  const top = topK(uncertainty, Math.min(Math.max(topM, k), cap), { candidates }).index.sort();
  const m = top.length;
  if (k >= m) return rankRows(top, uncertainty);
  const w = workingSet(e, top, new Int32Array(0));
  const { seeds, owner } = kmeansPlusPlus(m, k, rng.int(m), 0, rng, (s, j, minD, own) =>
    updateMinSqDist(w.e, w.rows, w.rows[s]!, minD, own, j),
  );
  const best = new Int32Array(seeds.length).fill(-1);
  for (let t = 0; t < m; t++) {
    const c = owner[t]!, b = best[c]!;
    if (b < 0 || uncertainty[top[t]!]! > uncertainty[top[b]!]!) best[c] = t; // ascending t: ties keep the lower row
  }
  const index = new Int32Array(best.length), score = new Float64Array(best.length);
  for (let c = 0; c < best.length; c++) {
    index[c] = top[best[c]!]!;
    score[c] = uncertainty[index[c]!]!;
  }
  return rankPicks(index, score);
}
