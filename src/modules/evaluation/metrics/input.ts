/**
 * Input validation shared by the evaluation metrics (internal), plus the
 * public arg-max helper {@link predictedClasses}.
 */
import { ValidationError } from '../../../core/errors.js';
import type { Probabilities } from '../../../core/labels.js';

/** A ValidationError whose single detail names `field`. */
export function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`${field}: ${message}`, [{ field, message }]);
}

/**
 * Checks the shape of `p` and that every entry is a finite number in [0, 1].
 * Returns k = `p.labels`. `rows`, when given, is the row count `p` must have.
 */
export function checkProbabilities(p: Probabilities, field: string, rows?: number): number {
  if (p === null || typeof p !== 'object') throw invalid(field, 'must be a Probabilities object { rows, labels, data }');
  const { labels: k, rows: n, data } = p;
  if (!Number.isInteger(n) || n < 0) throw invalid(`${field}.rows`, `must be a non-negative integer, got ${String(n)}`);
  if (!Number.isInteger(k) || k < 1) throw invalid(`${field}.labels`, `must be a positive integer, got ${String(k)}`);
  if (!(data instanceof Float32Array)) throw invalid(`${field}.data`, 'must be a Float32Array');
  if (data.length !== n * k) {
    throw invalid(`${field}.data`, `has ${data.length} entries, expected rows × labels = ${n} × ${k} = ${n * k}`);
  }
  if (rows !== undefined && n !== rows) {
    throw invalid(`${field}.rows`, `is ${n} but the truth has ${rows} rows (one probability row per truth row)`);
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // `!(v >= 0 && v <= 1)` is also true for NaN.
    if (!(v >= 0 && v <= 1)) {
      const what = Number.isNaN(v) ? 'is NaN' : `is ${v}, outside [0, 1]`;
      throw invalid(`${field}.data[${i}]`, `${what} (row ${Math.floor(i / k)}, label ${i % k})`);
    }
  }
  return k;
}

/** Checks that every entry of `a` is an integer class index in [0, k). */
export function checkClassIndexes(a: Int32Array, k: number, field: string): void {
  if (!(a instanceof Int32Array)) throw invalid(field, 'must be an Int32Array of class indexes');
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v < 0 || v >= k) throw invalid(`${field}[${i}]`, `class index ${v} is outside 0..${k - 1}`);
  }
}

/** Checks that `a` is a Uint8Array of 0/1 of the given length (when given). */
export function checkBinary(a: Uint8Array, field: string, length?: number): void {
  if (!(a instanceof Uint8Array)) throw invalid(field, 'must be a Uint8Array of 0/1');
  if (length !== undefined && a.length !== length) {
    throw invalid(field, `has ${a.length} entries, expected ${length}`);
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > 1) throw invalid(`${field}[${i}]`, `must be 0 or 1, got ${a[i]!}`);
  }
}

/** Validates single-label input: truth indexes in [0, k) and p rows × k. Returns { n, k }. */
export function checkSingleLabel(truth: Int32Array, p: Probabilities): { n: number; k: number } {
  if (!(truth instanceof Int32Array)) throw invalid('truth', 'must be an Int32Array of class indexes');
  const k = checkProbabilities(p, 'p', truth.length);
  checkClassIndexes(truth, k, 'truth');
  return { n: truth.length, k };
}

/** Validates multi-label input: truth rows × k of 0/1 and p rows × k. Returns { n, k }. */
export function checkMultiLabel(truth: Uint8Array, p: Probabilities): { n: number; k: number } {
  const k = checkProbabilities(p, 'p');
  checkBinary(truth, 'truth', p.rows * k);
  return { n: p.rows, k };
}

/** Arg-max class per row without validation (ties → the lowest index). */
export function argmax(p: Probabilities): Int32Array {
  const { rows, labels: k, data } = p;
  const out = new Int32Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += k) {
    let best = 0;
    let bestV = data[o]!;
    for (let j = 1; j < k; j++) {
      const v = data[o + j]!;
      if (v > bestV) {
        best = j;
        bestV = v;
      }
    }
    out[r] = best;
  }
  return out;
}

/**
 * Predicted class per row: the arg-max of the row, ties → the lowest index
 * (as `numpy.argmax`, hence scikit-learn's `predict`).
 *
 * @example
 * predictedClasses({ rows: 2, labels: 3, data: Float32Array.of(0.2, 0.5, 0.3, 0.4, 0.4, 0.2) })
 * // → Int32Array [1, 0]   (row 1 ties between 0 and 1 → 0)
 * @throws ValidationError on a shape mismatch or a NaN / out-of-range probability.
 */
export function predictedClasses(p: Probabilities): Int32Array {
  checkProbabilities(p, 'p');
  return argmax(p);
}

/** `{ value: null, reason }`. */
export function undefinedMetric(reason: string): { value: null; reason: string } {
  return { value: null, reason };
}

export const NO_ROWS = 'no rows to evaluate: the metric is a mean over zero rows (0/0)';
