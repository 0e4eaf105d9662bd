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
 * Cost: a bounded min-heap in typed arrays (rows and their scores side by side,
 * no per-item allocation), O(n log k) but O(n) in practice: rows are visited in
 * ascending order, so an item enters only when its score beats the root's
 * (an equal score never does: the root's row is lower), one comparison against
 * a cached threshold per item. The kept rows come out ranked by popping the heap.
 * Inputs that keep replacing the root (e.g. ascending scores) switch, after n/16
 * replacements, to an O(n) expected selection: 3-way quickselect of the k-th
 * largest score τ on a copy, then one scan taking every score > τ and the
 * lowest rows with score = τ. When 4k ≥ the number of candidates, all of them
 * are sorted instead. Without candidates, the NaN check rides along the scan.
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
  if (!opts.candidates && (scores instanceof Float64Array || scores instanceof Float32Array)) {
    const m = Math.min(k, scores.length);
    if (m > 0 && 4 * m < scores.length) return heapTop(scores, m); // checks NaN as it scans
  }
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
  return heapTop(scores, m, cand);
}

/**
 * The best `capacity` of rows offered in **ascending row order**, ranked by score
 * descending, ties → lower row: a bounded min-heap ("worse" = lower score, or
 * equal score and higher row), rows and scores side by side in typed arrays.
 *
 * Feeding: while filling, every {@link add} is kept; once full, {@link tau} is the
 * root's score and a caller adds a row only when its score is > tau (an equal
 * score never ranks above the root, whose row is lower). The test against a
 * cached threshold is all most rows cost. A caller whose scores may be −Infinity
 * adds its first `capacity` rows unconditionally (tau is −Infinity until full).
 */
export class TopHeap {
  readonly rows: Int32Array;
  readonly scores: Float64Array;
  size = 0;
  /** Rows added after the heap was full (each costs a sift). */
  replaced = 0;
  /** The score a row must beat once the heap is full; −Infinity before. */
  tau = -Infinity;

  /** @param capacity how many rows to keep (≥ 1). */
  constructor(readonly capacity: number) {
    this.rows = new Int32Array(capacity);
    this.scores = new Float64Array(capacity);
  }

  /** Keeps (row, s), evicting the worst kept row when full; returns the new {@link tau}. */
  add(row: number, s: number): number {
    const { rows, scores, capacity } = this;
    if (this.size < capacity) {
      rows[this.size] = row;
      scores[this.size] = s;
      if (++this.size < capacity) return this.tau;
      for (let pos = (capacity >> 1) - 1; pos >= 0; pos--) siftDown(rows, scores, capacity, pos, rows[pos]!, scores[pos]!);
    } else {
      this.replaced++;
      siftDown(rows, scores, capacity, 0, row, s);
    }
    return (this.tau = scores[0]!);
  }

  /** The kept rows, best first, with their scores (empties the heap). */
  drain(): Selection {
    const { rows, scores } = this;
    let size = this.size;
    if (size < this.capacity) for (let pos = (size >> 1) - 1; pos >= 0; pos--) siftDown(rows, scores, size, pos, rows[pos]!, scores[pos]!);
    const index = new Int32Array(size), score = new Float64Array(size);
    // Pop the worst into the last free slot.
    while (size > 0) {
      index[--size] = rows[0]!;
      score[size] = scores[0]!;
      if (size > 0) siftDown(rows, scores, size, 0, rows[size]!, scores[size]!);
    }
    this.size = 0;
    this.tau = -Infinity;
    return { index, score };
  }
}

function isWorse(sa: number, ra: number, sb: number, rb: number): boolean {
  return sa < sb || (sa === sb && ra > rb);
}

/** Sifts (row, s) down from `pos` in a heap of `size`. */
function siftDown(hr: Int32Array, hs: Float64Array, size: number, pos: number, row: number, s: number): void {
  for (;;) {
    let c = 2 * pos + 1;
    if (c >= size) break;
    if (c + 1 < size && isWorse(hs[c + 1]!, hr[c + 1]!, hs[c]!, hr[c]!)) c++;
    if (!isWorse(hs[c]!, hr[c]!, s, row)) break;
    hr[pos] = hr[c]!;
    hs[pos] = hs[c]!;
    pos = c;
  }
  hr[pos] = row;
  hs[pos] = s;
}

/**
 * Top-m (0 < m < n) of the rows 0..n−1, or of `cand` (validated, ascending), by
 * a {@link TopHeap}. Without `cand` the scores are not validated yet: a NaN fails
 * `s <= tau`, so it is caught on the rare path and reported by validateScores
 * (every lower row was compared already, so it is the first NaN, as before).
 */
function heapTop(scores: Float64Array | Float32Array, m: number, cand?: Int32Array): Selection {
  const n = cand ? cand.length : scores.length;
  const heap = new TopHeap(m);
  for (let t = 0; t < m; t++) {
    const i = cand ? cand[t]! : t, s = scores[i]!;
    if (s !== s) validateScores(scores);
    heap.add(i, s);
  }
  let tau = heap.tau;
  const limit = n >> 4;
  if (cand) {
    for (let t = m; t < n; t++) {
      const i = cand[t]!, s = scores[i]!;
      if (s <= tau) continue;
      if (heap.replaced >= limit) return bySelection(scores, cand, n, m);
      tau = heap.add(i, s);
    }
  } else {
    for (let i = m; i < n; i++) {
      const s = scores[i]!;
      if (s <= tau) continue;
      if (s !== s) validateScores(scores); // throws: NaN
      if (heap.replaced >= limit) {
        validateScores(scores); // the rows after i are not checked yet
        return bySelection(scores, cand, n, m);
      }
      tau = heap.add(i, s);
    }
  }
  return heap.drain();
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
