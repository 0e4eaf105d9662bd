/**
 * Core-set selection by greedy k-center (Sener & Savarese 2018, "Active Learning
 * for Convolutional Neural Networks: A Core-Set Approach", ICLR).
 */
import type { Rng } from '../../core/random.js';
import { argmaxFree, fitBudget, maxWorkOf, updateMinSqDist, workingSet } from './geometry.js';
import { emptySelection } from './topk.js';
import type { Embeddings, PoolOptions, Selection, WorkOptions } from './types.js';
import { resolvePool, validateEmbeddings, validateK } from './validate.js';

/**
 * Greedy k-center: repeatedly pick the candidate farthest from everything
 * already covered, `u = argmax_{i ∈ candidates} min_{j ∈ labelled ∪ picked} ‖x_i − x_j‖`,
 * a 2-approximation of the k-center objective. Starts from the labelled rows when
 * given, else from one seeded uniform candidate. A min-distance array over the
 * candidates is updated once per pick: O((|labelled| + k) · n · dim) time, O(n) memory.
 *
 * Ranking: pick order. `score[r]` is the Euclidean distance of the r-th pick to
 * the covered set when it was picked (non-increasing). The seeded first pick
 * (no labelled rows) scores the covering radius it leaves, i.e. the same as the
 * second pick, so scores stay finite. Ties → lower row.
 *
 * Budget: above `maxWork` multiply-adds the labelled set, then the candidates, are
 * replaced by seeded samples (see `fitBudget` in geometry.ts).
 *
 * Example (dim 1): x = [0, 1, 5, 10], labelled = [0], k = 2 → row 3 (distance 10),
 * then row 2 (distance 5, as row 1 is only 1 away from row 0): index [3, 2], score [10, 5].
 */
export function coreset(
  e: Embeddings,
  k: number,
  rng: Rng,
  opts: PoolOptions & WorkOptions = {},
): Selection {
  validateEmbeddings(e);
  validateK(k);
  const pool = resolvePool(e.rows, opts);
  if (k === 0 || pool.candidates.length === 0) return emptySelection();
  const { candidates, labelled } = fitBudget(pool.candidates, pool.labelled, k, e.dim, maxWorkOf(opts.maxWork), rng);
  const m = candidates.length, n = Math.min(k, m);
  const minD = new Float64Array(m).fill(Infinity), owner = new Int32Array(m);
  const chosen = new Uint8Array(m);
  const w = workingSet(e, candidates, labelled);
  const cover = (p: number): void => updateMinSqDist(w.e, w.rows, p, minD, owner, 0);
  for (let t = 0; t < w.labelled.length; t++) cover(w.labelled[t]!);
  const index = new Int32Array(n), score = new Float64Array(n);
  let j = 0;
  if (labelled.length === 0) {
    const s = rng.int(m);
    index[0] = candidates[s]!;
    chosen[s] = 1;
    cover(w.rows[s]!);
    const next = argmaxFree(minD, chosen);
    score[0] = next < 0 ? 0 : Math.sqrt(minD[next]!);
    j = 1;
  }
  for (; j < n; j++) {
    const p = argmaxFree(minD, chosen);
    index[j] = candidates[p]!;
    score[j] = Math.sqrt(minD[p]!);
    chosen[p] = 1;
    if (j + 1 < n) cover(w.rows[p]!);
  }
  return { index, score };
}
