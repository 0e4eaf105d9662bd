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
import { bitsOf, lnBits } from './fastlog.js';
import type { Probabilities } from './types.js';
import { validateProbabilities } from './validate.js';

/*
 * Hot loops read the float32 bit patterns: validated values are ≥ 0 (−0 is masked
 * to +0), and for non-negative floats the int32 bit order is the float order, so
 * max / top-2 need no float compares and no unpredictable branches.
 */
const ABS = 0x7fffffff;
const scratchF = new Float32Array(1);
const scratchI = new Int32Array(scratchF.buffer);
function toFloat(b: number): number {
  scratchI[0] = b;
  return scratchF[0]!;
}

/**
 * Least confidence (Lewis & Gale 1994; Culotta & McCallum 2005): `1 − max_y p(y|x)`.
 * Example: [0.5, 0.3, 0.2] → 0.5; [0.9, 0.05, 0.05] → 0.1; [0.4, 0.4, 0.2] → 0.6.
 */
export function leastConfidence(p: Probabilities): Float64Array {
  validateProbabilities(p);
  const { rows, labels, data } = p;
  const bits = bitsOf(data);
  const out = new Float64Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += labels) {
    let max = bits[o]! & ABS;
    for (let j = o + 1; j < o + labels; j++) {
      const d = (bits[j]! & ABS) - max;
      max += d & ~(d >> 31); // branch-free int max
    }
    out[r] = 1 - toFloat(max);
  }
  return out;
}

/**
 * Margin (Scheffer et al. 2001): the gap between the two most probable labels,
 * turned into "higher = more informative" as **`1 − (p₁ − p₂)`** (in [0, 1]; same
 * ranking as −(p₁ − p₂)). A single-label model (labels = 1) scores 0.
 * Example: [0.5, 0.3, 0.2] → 0.8; [0.9, 0.05, 0.05] → 0.15; [0.4, 0.4, 0.2] → 1.
 */
export function margin(p: Probabilities): Float64Array {
  validateProbabilities(p);
  const { rows, labels, data } = p;
  const bits = bitsOf(data);
  const out = new Float64Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += labels) {
    let p1 = bits[o]! & ABS, p2 = 0;
    for (let j = o + 1; j < o + labels; j++) {
      const b = bits[j]! & ABS;
      const d = b - p1, up = d & ~(d >> 31); // b > p1 ? b − p1 : 0
      const lo = b - up; // min(b, p1)
      p1 += up;
      const d2 = lo - p2;
      p2 += d2 & ~(d2 >> 31);
    }
    out[r] = 1 - (toFloat(p1) - toFloat(p2));
  }
  return out;
}

/**
 * Entropy (Shannon 1948; Settles & Craven 2008): `−Σ_y p(y|x) ln p(y|x)` in nats,
 * with 0 · ln 0 = 0. The maximum is ln(labels) for a uniform row.
 * Example: [0.5, 0.3, 0.2] → 1.029653; [0.9, 0.05, 0.05] → 0.394398; [0.4, 0.4, 0.2] → 1.054920.
 */
export function entropy(p: Probabilities): Float64Array {
  validateProbabilities(p);
  const { rows, labels, data } = p;
  const bits = bitsOf(data);
  const ln = lnBits; // a local binding: no module-namespace lookup per call under transpiling runners
  const out = new Float64Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += labels) {
    let h = 0;
    for (let j = o; j < o + labels; j++) {
      // 0 and denormals (< 1.2e-38, where −p ln p < 1e-36) contribute nothing.
      if ((bits[j]! & 0x7f800000) !== 0) h -= data[j]! * ln(data[j]!, bits[j]!);
    }
    out[r] = h > 0 ? h : 0;
  }
  return out;
}

/** The measure named `m` (used by diversity strategies that weigh uncertainty). */
export function uncertaintyScores(p: Probabilities, m: 'least-confidence' | 'margin' | 'entropy'): Float64Array {
  return m === 'least-confidence' ? leastConfidence(p) : m === 'margin' ? margin(p) : entropy(p);
}
