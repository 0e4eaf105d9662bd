/**
 * Single-label uncertainty measures: one informativeness score per row, higher =
 * more informative (Settles 2009, "Active Learning Literature Survey", §3.1).
 *
 * Worked example shared by the three measures (and test/unit/strategies/uncertainty.test.ts):
 *
 * | row | p                  | least-confidence | margin | entropy (nats) |
 * |-----|--------------------|------------------|--------|----------------|
 * | 0   | [0.5, 0.3, 0.2]    | 0.5              | 0.8    | 1.029653       |
 * | 1   | [0.9, 0.05, 0.05]  | 0.1              | 0.15   | 0.394398       |
 * | 2   | [0.4, 0.4, 0.2]    | 0.6              | 1.0    | 1.054920       |
 *
 * All three rank row 2, then row 0, then row 1.
 */
import { bitsOf, lnNormalBits } from './fastlog.js';
import { TopHeap, topK } from './topk.js';
import type { PoolOptions, Probabilities, Selection, UncertaintyMeasure } from './types.js';
import {
  SUM_TOLERANCE,
  checkProbabilitiesShape,
  checkProbabilityRow,
  resolvePool,
  validateK,
  validateProbabilities,
} from './validate.js';

/*
 * Each measure validates and scores in ONE pass over the data, row by row, with
 * validateProbabilities' rule and messages. A row kernel screens the row (the OR
 * of its float32 bit patterns: sign bit set → negative or −0; and the row sum in
 * order, as a double, within 1 ± SUM_TOLERANCE, which also bounds every value and
 * excludes NaN / Infinity) while scoring it, and returns FAIL when the screen fails.
 * Such a row is re-checked value by value (`slowRow`): that throws
 * validateProbabilities' message (rows are visited in order, so it names the
 * first bad row, as before), or passes a row whose only oddity is a −0, which is
 * then scored on masked bits.
 *
 * Kernels read the bit patterns: for non-negative floats the int32 bit order is
 * the float order, so max / top-2 need no float compares and no unpredictable
 * branches. The same kernels serve the per-row arrays and {@link topUncertain},
 * so scores are bit-for-bit the same on both paths.
 */
const ABS = 0x7fffffff;
const LC = 0, MARGIN = 1, ENTROPY = 2;
type Kind = typeof LC | typeof MARGIN | typeof ENTROPY;
const KINDS: Record<UncertaintyMeasure, Kind> = { 'least-confidence': LC, margin: MARGIN, entropy: ENTROPY };

const scratchF = new Float32Array(1);
const scratchI = new Int32Array(scratchF.buffer);
function toFloat(b: number): number {
  scratchI[0] = b;
  return scratchF[0]!;
}

/**
 * A kernel's "screen failed" result: no score is below −SUM_TOLERANCE (1 − max p ≥ 1 − 1.001).
 * (A NaN sentinel and its `s === s` test made the loops ~40% slower in V8.)
 */
const FAIL = -1;

/** True when a row's screen fails: a sign bit set, or a sum off 1 by more than the tolerance (or NaN). */
function screenFails(sign: number, s: number): boolean {
  return sign < 0 || !(Math.abs(s - 1) <= SUM_TOLERANCE);
}

/** 1 − max p of the row [o, end), or {@link FAIL} when the screen fails. */
function lcRow(data: Float32Array, bits: Int32Array, o: number, end: number): number {
  let s = 0, sign = 0, max = 0;
  for (let j = o; j < end; j++) {
    const b = bits[j]!;
    sign |= b;
    const d = (b - max) | 0;
    max = (max + (d & ~(d >> 31))) | 0; // branch-free int max (| 0: wraps, never deopts, on a failing row)
    s += data[j]!;
  }
  return screenFails(sign, s) ? FAIL : 1 - toFloat(max);
}

/** 1 − (p₁ − p₂) of the row [o, end), or {@link FAIL} when the screen fails. */
function marginRow(data: Float32Array, bits: Int32Array, o: number, end: number): number {
  let s = 0, sign = 0, p1 = 0, p2 = 0;
  for (let j = o; j < end; j++) {
    const b = bits[j]!;
    sign |= b;
    s += data[j]!;
    const d = (b - p1) | 0, up = d & ~(d >> 31); // b > p1 ? b − p1 : 0
    const lo = (b - up) | 0; // min(b, p1)
    p1 = (p1 + up) | 0;
    const d2 = (lo - p2) | 0;
    p2 = (p2 + (d2 & ~(d2 >> 31))) | 0;
  }
  return screenFails(sign, s) ? FAIL : 1 - (toFloat(p1) - toFloat(p2));
}

/** −Σ p ln p of the row [o, end) (≥ 0), or {@link FAIL} when the screen fails. */
function entropyRow(data: Float32Array, bits: Int32Array, o: number, end: number): number {
  const ln = lnNormalBits; // a local binding: no module-namespace lookup per call under transpiling runners
  let s = 0, sign = 0, h = 0;
  for (let j = o; j < end; j++) {
    const b = bits[j]!, v = data[j]!;
    sign |= b;
    s += v;
    // 0 and denormals (< 1.2e-38, where −p ln p < 1e-36) contribute nothing; so does −0.
    if ((b & 0x7f800000) !== 0) h -= v * ln(b);
  }
  return screenFails(sign, s) ? FAIL : h > 0 ? h : 0;
}

/**
 * Row r failed the screen: throws validateProbabilities' message, or (a valid row
 * with a −0) returns its score, computed on |bits|.
 */
function slowRow(kind: Kind, p: Probabilities, bits: Int32Array, r: number): number {
  checkProbabilityRow(p, r, 'probabilities', true);
  const o = r * p.labels, end = o + p.labels;
  if (kind === ENTROPY) {
    let h = 0;
    for (let j = o; j < end; j++) if ((bits[j]! & 0x7f800000) !== 0) h -= p.data[j]! * lnNormalBits(bits[j]!);
    return h > 0 ? h : 0;
  }
  let p1 = bits[o]! & ABS, p2 = 0;
  for (let j = o + 1; j < end; j++) {
    const b = bits[j]! & ABS;
    if (b > p1) {
      p2 = p1;
      p1 = b;
    } else if (b > p2) p2 = b;
  }
  return kind === LC ? 1 - toFloat(p1) : 1 - (toFloat(p1) - toFloat(p2));
}

/**
 * Scores rows [from, to) into out[0 … to − from): one monomorphic loop per measure,
 * so each kernel inlines into its own loop.
 */
type RangeScorer = (p: Probabilities, bits: Int32Array, from: number, to: number, out: Float64Array) => void;

function lcRange(p: Probabilities, bits: Int32Array, from: number, to: number, out: Float64Array): void {
  const { labels, data } = p;
  for (let r = from, o = from * labels, t = 0; r < to; r++, o += labels, t++) {
    const s = lcRow(data, bits, o, o + labels);
    out[t] = s !== FAIL ? s : slowRow(LC, p, bits, r);
  }
}

function marginRange(p: Probabilities, bits: Int32Array, from: number, to: number, out: Float64Array): void {
  const { labels, data } = p;
  for (let r = from, o = from * labels, t = 0; r < to; r++, o += labels, t++) {
    const s = marginRow(data, bits, o, o + labels);
    out[t] = s !== FAIL ? s : slowRow(MARGIN, p, bits, r);
  }
}

function entropyRange(p: Probabilities, bits: Int32Array, from: number, to: number, out: Float64Array): void {
  const { labels, data } = p;
  for (let r = from, o = from * labels, t = 0; r < to; r++, o += labels, t++) {
    const s = entropyRow(data, bits, o, o + labels);
    out[t] = s !== FAIL ? s : slowRow(ENTROPY, p, bits, r);
  }
}

const RANGES: readonly RangeScorer[] = [lcRange, marginRange, entropyRange];

function scoreAll(p: Probabilities, kind: Kind): Float64Array {
  checkProbabilitiesShape(p);
  const out = new Float64Array(p.rows);
  RANGES[kind]!(p, bitsOf(p.data), 0, p.rows, out);
  return out;
}

/**
 * Least confidence (Lewis & Gale 1994; Culotta & McCallum 2005): `1 − max_y p(y|x)`.
 * Example: [0.5, 0.3, 0.2] → 0.5; [0.9, 0.05, 0.05] → 0.1; [0.4, 0.4, 0.2] → 0.6.
 * @throws ValidationError as validateProbabilities (single-label).
 */
export function leastConfidence(p: Probabilities): Float64Array {
  return scoreAll(p, LC);
}

/**
 * Margin (Scheffer et al. 2001): the gap between the two most probable labels,
 * turned into "higher = more informative" as **`1 − (p₁ − p₂)`** (in [0, 1]; same
 * ranking as −(p₁ − p₂)). A single-label model (labels = 1) scores 0.
 * Example: [0.5, 0.3, 0.2] → 0.8; [0.9, 0.05, 0.05] → 0.15; [0.4, 0.4, 0.2] → 1.
 * @throws ValidationError as validateProbabilities (single-label).
 */
export function margin(p: Probabilities): Float64Array {
  return scoreAll(p, MARGIN);
}

/**
 * Entropy (Shannon 1948; Settles & Craven 2008): `−Σ_y p(y|x) ln p(y|x)` in nats,
 * with 0 · ln 0 = 0. The maximum is ln(labels) for a uniform row.
 * Example: [0.5, 0.3, 0.2] → 1.029653; [0.9, 0.05, 0.05] → 0.394398; [0.4, 0.4, 0.2] → 1.054920.
 * ln is fastlog.ts's table log (absolute error < 1e-8, so < 1e-8 per row as well).
 * @throws ValidationError as validateProbabilities (single-label).
 */
export function entropy(p: Probabilities): Float64Array {
  return scoreAll(p, ENTROPY);
}

/** Rows scored per block by {@link topUncertain} (32 KiB of scores: stays in cache). */
const BLOCK = 4096;

/**
 * `topK(uncertaintyScores(p, measure), k, pool)` without the per-row score array:
 * blocks of {@link BLOCK} rows are validated and scored into one small reused
 * array, which feeds a bounded heap ({@link TopHeap}), so there is no 8-byte-per-row
 * array to allocate, fault in and read again. Same picks, order, scores and errors
 * (probabilities, then the pool, then k: the registry's order) as that composition,
 * which pools with 4k ≥ their size still take. Meant for the registry's `byScore`
 * path of the three measures.
 *
 * Worst case (rows in ascending uncertainty, each displacing the root) is
 * O(n log k), with no fallback.
 */
export function topUncertain(p: Probabilities, measure: UncertaintyMeasure, k: number, pool: PoolOptions = {}): Selection {
  const kind = KINDS[measure];
  checkProbabilitiesShape(p);
  let cand: Int32Array | undefined;
  if (pool.candidates || pool.labelled) {
    try {
      cand = resolvePool(p.rows, pool).candidates;
    } catch (err) {
      validateProbabilities(p); // a bad row is reported first, as when the scores come first
      throw err;
    }
  }
  if (!Number.isSafeInteger(k) || k < 0) {
    validateProbabilities(p);
    validateK(k);
  }
  const n = cand ? cand.length : p.rows;
  const m = Math.min(k, n);
  if (m === 0 || 4 * m >= n) return topK(scoreAll(p, kind), k, cand ? { candidates: cand } : {});
  const rows = p.rows, bits = bitsOf(p.data), score = RANGES[kind]!;
  const block = new Float64Array(Math.min(BLOCK, rows));
  const heap = new TopHeap(m);
  let tau = heap.tau; // −Infinity while filling; scores are finite
  for (let from = 0, t = 0; from < rows; from += BLOCK) {
    const to = Math.min(from + BLOCK, rows);
    score(p, bits, from, to, block); // validates every row of the block, in order
    if (!cand) {
      for (let r = from; r < to; r++) {
        const s = block[r - from]!;
        if (s > tau) tau = heap.add(r, s); // equal: the kept row is lower, it stays
      }
    } else {
      for (; t < n; t++) {
        const r = cand[t]!;
        if (r >= to) break;
        const s = block[r - from]!;
        if (s > tau) tau = heap.add(r, s);
      }
    }
  }
  return heap.drain();
}

/** The measure named `m` (used by diversity strategies that weigh uncertainty). */
export function uncertaintyScores(p: Probabilities, m: 'least-confidence' | 'margin' | 'entropy'): Float64Array {
  return m === 'least-confidence' ? leastConfidence(p) : m === 'margin' ? margin(p) : entropy(p);
}
