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
 * Cost: O(n log k) worst case with a bounded min-heap held in two typed arrays
 * (no per-item allocation); in practice O(n) since most items lose against the
 * heap root in one comparison. When k ≥ the number of candidates every candidate
 * is returned, sorted.
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
  const cand = opts.candidates;
  const n = cand ? cand.length : scores.length;
  if (cand) resolvePool(scores.length, { candidates: cand }); // in range, distinct
  const m = Math.min(k, n);
  const heap = new Int32Array(m); // row indexes; heap[0] is the worst kept
  let size = 0;
  if (m > 0) {
    // worse(a, b): a ranks after b.
    const worse = (a: number, b: number): boolean => {
      const sa = scores[a]!, sb = scores[b]!;
      return sa < sb || (sa === sb && a > b);
    };
    const siftDown = (pos: number): void => {
      const x = heap[pos]!;
      for (;;) {
        let c = 2 * pos + 1;
        if (c >= size) break;
        if (c + 1 < size && worse(heap[c + 1]!, heap[c]!)) c++;
        if (!worse(heap[c]!, x)) break;
        heap[pos] = heap[c]!;
        pos = c;
      }
      heap[pos] = x;
    };
    for (let t = 0; t < n; t++) {
      const i = cand ? cand[t]! : t;
      if (size < m) {
        // sift up
        let pos = size++;
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
      if (si > sr || (si === sr && i < root)) {
        heap[0] = i;
        siftDown(0);
      }
    }
  }
  return rankRows(heap, scores);
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
