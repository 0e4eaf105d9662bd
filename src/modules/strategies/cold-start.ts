/**
 * Cold-start selectors: no model yet, so no probabilities.
 */
import { type Rng, sampleIndexes, shuffleInPlace } from '../../core/random.js';
import { ValidationError } from '../../core/errors.js';
import { dot, fitBudget, kmeansPlusPlus, maxWorkOf, updateMinSqDist, workingSet } from './geometry.js';
import { emptySelection, rankPicks } from './topk.js';
import type { Embeddings, PoolOptions, Selection, WorkOptions } from './types.js';
import { checkNumber, resolvePool, validateEmbeddings, validateK } from './validate.js';

/**
 * Uniform random sample of k candidates without replacement (seeded; Floyd's
 * algorithm via `sampleIndexes`), in draw order. `score` is 0 (no measure).
 * Example: rows 0..3, k = 4 → a seeded permutation of [0, 1, 2, 3].
 */
export function randomSample(rows: number, k: number, rng: Rng, opts: PoolOptions = {}): Selection {
  validateK(k);
  const { candidates } = resolvePool(rows, opts);
  const pick = sampleIndexes(candidates.length, k, rng);
  const index = new Int32Array(pick.length);
  for (let r = 0; r < pick.length; r++) index[r] = candidates[pick[r]!]!;
  return { index, score: new Float64Array(pick.length) };
}

/**
 * Stratified round-robin over the groups of a meta field: group keys compare
 * with Map semantics (1 and '1' differ; null and undefined are one "missing"
 * group). The visiting order of the groups is a seeded shuffle (so small k does
 * not always favour the same groups), each group's members are a seeded shuffle,
 * and round r takes the r-th member of every group that still has one.
 * `score` is 0 (no measure); ranking is pick order.
 * Example: groups ['a', 'a', 'b', 'a'], k = 2 → one 'a' row (0, 1 or 3) and row 2, in seeded order.
 */
export function stratified(
  groups: ArrayLike<string | number | null | undefined>,
  k: number,
  rng: Rng,
  opts: PoolOptions = {},
): Selection {
  validateK(k);
  if (groups === null || typeof groups !== 'object' || typeof groups.length !== 'number') {
    throw new ValidationError('groups must be an array with one group key per row');
  }
  const { candidates } = resolvePool(groups.length, opts);
  const ids = new Map<string | number | null, number>();
  const gid = new Int32Array(candidates.length);
  for (let t = 0; t < candidates.length; t++) {
    const key = groups[candidates[t]!] ?? null;
    if (typeof key !== 'string' && typeof key !== 'number' && key !== null) {
      throw new ValidationError(`groups[${candidates[t]}] must be a string, number or null`);
    }
    let g = ids.get(key);
    if (g === undefined) ids.set(key, (g = ids.size));
    gid[t] = g;
  }
  const G = ids.size, start = new Int32Array(G + 1);
  for (let t = 0; t < gid.length; t++) start[gid[t]! + 1]!++;
  for (let g = 0; g < G; g++) start[g + 1]! += start[g]!;
  const members = new Int32Array(candidates.length), fill = start.slice(0, G);
  for (let t = 0; t < gid.length; t++) members[fill[gid[t]!]!++] = candidates[t]!;
  const order = new Int32Array(G);
  for (let g = 0; g < G; g++) order[g] = g;
  shuffleInPlace(order, rng);
  for (let g = 0; g < G; g++) shuffleInPlace(members.subarray(start[g]!, start[g + 1]!), rng);
  const n = Math.min(k, candidates.length), index = new Int32Array(n);
  for (let r = 0, j = 0; j < n; r++) {
    for (let q = 0; q < G && j < n; q++) {
      const g = order[q]!;
      if (start[g]! + r < start[g + 1]!) index[j++] = members[start[g]! + r]!;
    }
  }
  return { index, score: new Float64Array(n) };
}

/**
 * Representative items for a first batch: k-means++ seeding (seeded), then up to
 * `iterations` Lloyd steps (default 5; stops early when no point moves), then for
 * each centroid the candidate nearest to it among its cluster's members (ties →
 * lower row; an emptied cluster takes the nearest unpicked candidate).
 * `score` = the cluster's size (how many candidates it represents); ranked by size,
 * ties → lower row. Cost O((iterations + 1) · k · n · dim); above `maxWork`, a
 * seeded uniform sample of the candidates (geometry.ts `fitBudget`).
 *
 * Example (dim 1): x = [0, 1, 2, 10, 12], k = 2 → clusters {0, 1, 2} (centroid 1)
 * and {10, 12} (centroid 11, rows 3 and 4 tie → row 3): index [1, 3], score [3, 2].
 */
export function kmeansCentroids(
  e: Embeddings,
  k: number,
  rng: Rng,
  opts: PoolOptions & WorkOptions & { iterations?: number } = {},
): Selection {
  validateEmbeddings(e);
  validateK(k);
  const iterations = opts.iterations === undefined ? 5 : Math.floor(checkNumber('iterations', opts.iterations, 0, 1000));
  const pool = resolvePool(e.rows, opts);
  if (k === 0 || pool.candidates.length === 0) return emptySelection();
  const d = e.dim;
  const { candidates } = fitBudget(pool.candidates, new Int32Array(0), k, d * (iterations + 2), maxWorkOf(opts.maxWork), rng);
  const m = candidates.length;
  if (k >= m) return rankPicks(candidates.slice(), new Float64Array(m).fill(1));
  const w = workingSet(e, candidates, new Int32Array(0)), X = w.e.data, rows = w.rows;
  const { seeds, owner } = kmeansPlusPlus(m, k, rng.int(m), 0, rng, (s, j, minD, own) => updateMinSqDist(w.e, rows, rows[s]!, minD, own, j));
  const C = new Float32Array(k * d), cn = new Float64Array(k), sums = new Float64Array(k * d), size = new Int32Array(k);
  for (let j = 0; j < k; j++) C.set(X.subarray(rows[seeds[j]!]! * d, rows[seeds[j]!]! * d + d), j * d);
  for (let it = 0; it < iterations; it++) {
    sums.fill(0);
    size.fill(0);
    for (let t = 0; t < m; t++) {
      const j = owner[t]!, o = rows[t]! * d;
      size[j]!++;
      for (let c = 0; c < d; c++) sums[j * d + c] = sums[j * d + c]! + X[o + c]!;
    }
    for (let j = 0; j < k; j++) if (size[j]! > 0) for (let c = 0; c < d; c++) C[j * d + c] = sums[j * d + c]! / size[j]!;
    if (assign(X, rows, C, cn, k, d, owner) === 0) break;
  }
  size.fill(0);
  const best = new Int32Array(k).fill(-1), bestD = new Float64Array(k).fill(Infinity);
  for (let j = 0; j < k; j++) cn[j] = dot(C, j * d, C, j * d, d);
  for (let t = 0; t < m; t++) {
    const j = owner[t]!, o = rows[t]! * d;
    size[j]!++;
    const dist = dot(X, o, X, o, d) - 2 * dot(X, o, C, j * d, d) + cn[j]!;
    if (dist < bestD[j]!) {
      bestD[j] = dist;
      best[j] = t;
    }
  }
  const taken = new Uint8Array(m);
  for (let j = 0; j < k; j++) if (best[j]! >= 0) taken[best[j]!] = 1;
  for (let j = 0; j < k; j++) {
    if (best[j]! >= 0) continue; // an emptied cluster: nearest unpicked candidate
    let b = -1, bd = Infinity;
    for (let t = 0; t < m; t++) {
      const o = rows[t]! * d, dist = dot(X, o, X, o, d) - 2 * dot(X, o, C, j * d, d);
      if (taken[t] === 0 && dist < bd) {
        bd = dist;
        b = t;
      }
    }
    best[j] = b;
    taken[b] = 1;
  }
  const index = new Int32Array(k), score = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    index[j] = candidates[best[j]!]!;
    score[j] = size[j]!;
  }
  return rankPicks(index, score);
}

/** Assigns each point to its nearest centroid (argmin ‖c‖² − 2 x·c; ties → lower j); returns how many moved. */
function assign(X: Float32Array, rows: Int32Array, C: Float32Array, cn: Float64Array, k: number, d: number, owner: Int32Array): number {
  const dotRows = dot;
  for (let j = 0; j < k; j++) cn[j] = dot(C, j * d, C, j * d, d);
  let moved = 0;
  for (let t = 0; t < rows.length; t++) {
    const o = rows[t]! * d;
    let best = 0, bd = Infinity;
    for (let j = 0; j < k; j++) {
      const v = cn[j]! - 2 * dotRows(X, o, C, j * d, d);
      if (v < bd) {
        bd = v;
        best = j;
      }
    }
    if (owner[t] !== best) {
      owner[t] = best;
      moved++;
    }
  }
  return moved;
}
