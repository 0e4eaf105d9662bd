/**
 * Top-k selection with explicit tie-breaking.
 */
import type { Selection } from './types.js';
import { resolvePool, validateK, validateScores } from './validate.js';

/**
 * The k highest-scoring rows, best first.
 *
 * Ranking: higher score first; **equal scores → lower row index first** (so an
 * all-equal input returns rows in ascending order). NaN scores are rejected.
 *
 * Cost: a bounded min-heap in typed arrays (no per-item allocation), O(n log k)
 * but O(n) in practice, since most items lose to the heap root in one comparison.
 * Inputs that keep replacing the root (e.g. ascending scores) switch, after n/16
 * replacements, to an O(n) expected selection: 3-way quickselect of the k-th
 * largest score τ on a copy, then one scan taking every score > τ and the
 * lowest rows with score = τ. When 4k ≥ the number of candidates, all of them
 * are sorted instead.
 *
 * Example: scores [0.2, 0.9, 0.5, 0.9], k = 3 → index [1, 3, 2], score [0.9, 0.9, 0.5]
 * (rows 1 and 3 tie; row 1 ranks first).
 *
 * @param candidates restrict to these rows (distinct indexes into `scores`); default all rows.
 */
export function topK(
  scores: Float64Array | Float32Array,
  k: number,
  opts: { candidates?: Int32Array | undefined } = {},
): Selection {
  validateK(k);
  validateScores(scores);
  // Validated and ascending, so iteration order is row order (ties → lower row for free).
  const cand = opts.candidates ? resolvePool(scores.length, { candidates: opts.candidates }).candidates : undefined;
  const n = cand ? cand.length : scores.length;
  const m = Math.min(k, n);
  if (m === 0) return emptySelection();
  if (4 * m >= n) {
    const all = cand ? cand.slice() : new Int32Array(n).map((_, i) => i);
    const ranked = rankRows(all, scores);
    return m === n ? ranked : { index: ranked.index.slice(0, m), score: ranked.score.slice(0, m) };
  }
  const heap = new Int32Array(m); // row indexes; heap[0] is the worst kept
  const worse = (a: number, b: number): boolean => {
    const sa = scores[a]!, sb = scores[b]!;
    return sa < sb || (sa === sb && a > b);
  };
  let size = 0, replaced = 0;
  const limit = n >> 4;
  for (let t = 0; t < n; t++) {
    const i = cand ? cand[t]! : t;
    if (size < m) {
      let pos = size++; // sift up
      while (pos > 0) {
        const parent = (pos - 1) >> 1;
        if (!worse(i, heap[parent]!)) break;
        heap[pos] = heap[parent]!;
        pos = parent;
      }
      heap[pos] = i;
      continue;
    }
    const root = heap[0]!;
    const si = scores[i]!, sr = scores[root]!;
    if (!(si > sr || (si === sr && i < root))) continue;
    if (++replaced > limit) return bySelection(scores, cand, n, m);
    let pos = 0; // sift down
    for (;;) {
      let c = 2 * pos + 1;
      if (c >= size) break;
      if (c + 1 < size && worse(heap[c + 1]!, heap[c]!)) c++;
      if (!worse(heap[c]!, i)) break;
      heap[pos] = heap[c]!;
      pos = c;
    }
    heap[pos] = i;
  }
  return rankRows(heap, scores);
}

/** O(n) expected top-m: τ = m-th largest score, then every score > τ and the lowest rows with score τ. */
function bySelection(scores: Float64Array | Float32Array, cand: Int32Array | undefined, n: number, m: number): Selection {
  const vals = new Float64Array(n);
  for (let t = 0; t < n; t++) vals[t] = scores[cand ? cand[t]! : t]!;
  const tau = kthLargest(vals, m);
  let above = 0;
  for (let t = 0; t < n; t++) if (vals[t]! > tau) above++; // vals is permuted, counts are not
  const out = new Int32Array(m);
  let c = 0, equal = m - above;
  for (let t = 0; t < n && c < m; t++) {
    const i = cand ? cand[t]! : t;
    const s = scores[i]!;
    if (s > tau) out[c++] = i;
    else if (s === tau && equal > 0) {
      out[c++] = i;
      equal--;
    }
  }
  return rankRows(out, scores);
}

/** The k-th largest value of `a` (1-based), reordering `a`: iterative 3-way quickselect, pseudo-random pivots. */
function kthLargest(a: Float64Array, k: number): number {
  let lo = 0, hi = a.length - 1, x = 0x2545f491;
  const target = k - 1; // position in descending order
  while (lo < hi) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const pivot = a[lo + ((x >>> 0) % (hi - lo + 1))]!;
    let lt = lo, gt = hi, i = lo;
    while (i <= gt) {
      const v = a[i]!;
      if (v > pivot) {
        a[i++] = a[lt]!;
        a[lt++] = v;
      } else if (v < pivot) {
        a[i] = a[gt]!;
        a[gt--] = v;
      } else i++;
    }
    if (target < lt) hi = lt - 1;
    else if (target > gt) lo = gt + 1;
    else return pivot;
  }
  return a[lo]!;
}

/**
 * Sorts rows by score descending, ties by lower row index (in place), and pairs
 * them with their scores as a {@link Selection}.
 */
export function rankRows(rows: Int32Array, scores: ArrayLike<number>): Selection {
  rows.sort((a, b) => {
    const sa = scores[a]!, sb = scores[b]!;
    return sa > sb ? -1 : sa < sb ? 1 : a - b;
  });
  const score = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) score[r] = scores[rows[r]!]!;
  return { index: rows, score };
}

/**
 * Orders picks given as parallel arrays (row, score) by score descending, ties
 * by lower row — for strategies whose picks come out of a loop, not a scan.
 */
export function rankPicks(index: Int32Array, score: Float64Array): Selection {
  const order = new Int32Array(index.length);
  for (let t = 0; t < order.length; t++) order[t] = t;
  order.sort((a, b) => {
    const sa = score[a]!, sb = score[b]!;
    return sa > sb ? -1 : sa < sb ? 1 : index[a]! - index[b]!;
  });
  const outIndex = new Int32Array(order.length), outScore = new Float64Array(order.length);
  for (let r = 0; r < order.length; r++) {
    outIndex[r] = index[order[r]!]!;
    outScore[r] = score[order[r]!]!;
  }
  return { index: outIndex, score: outScore };
}

/** An empty selection. */
export function emptySelection(): Selection {
  return { index: new Int32Array(0), score: new Float64Array(0) };
}
