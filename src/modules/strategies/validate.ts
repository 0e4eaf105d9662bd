/**
 * Input validation shared by every strategy. Every check names the offending
 * row / column / member so a caller can find it; all throw {@link ValidationError}.
 */
import { ValidationError } from '../../core/errors.js';
import { bitsOf } from './fastlog.js';
import type { Embeddings, Probabilities } from './types.js';

/** Rows of single-label probabilities must sum to 1 within this tolerance (float32 models drift). */
export const SUM_TOLERANCE = 1e-3;

export type ProbabilityKind = 'single-label' | 'multi-label';

function fail(message: string, field?: string): never {
  throw new ValidationError(message, [{ ...(field ? { field } : {}), message }]);
}

/** Short number for messages: 0.8199999928 → 0.82. */
export function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

function checkShape(what: string, rows: unknown, cols: unknown, colName: string, data: unknown): void {
  if (!Number.isSafeInteger(rows) || (rows as number) < 0) fail(`${what}.rows must be a non-negative integer, got ${String(rows)}`, what);
  if (!Number.isSafeInteger(cols) || (cols as number) < 1) fail(`${what}.${colName} must be a positive integer, got ${String(cols)}`, what);
  if (!(data instanceof Float32Array)) fail(`${what}.data must be a Float32Array`, what);
  const expected = (rows as number) * (cols as number);
  if (data.length !== expected) {
    fail(`${what}.data has ${data.length} values, expected rows × ${colName} = ${String(rows)} × ${String(cols)} = ${expected}`, what);
  }
}

/**
 * The one probability check used by every strategy.
 * - shape: `data` is a Float32Array of exactly rows × labels values;
 * - every value is a number in [0, 1] (NaN, ±Infinity and negatives are rejected;
 *   single-label values may reach 1 + {@link SUM_TOLERANCE}, like the row sums);
 * - `single-label` (default): every row sums to 1 ± {@link SUM_TOLERANCE};
 *   `multi-label`: per-label sigmoid outputs, no sum constraint.
 * The first offending row (then column) is the one reported.
 *
 * Cost: one pass of integer ops on the float32 bit patterns ({@link probabilityRowsOk});
 * only a row that fails it is re-checked value by value ({@link checkProbabilityRow}),
 * which throws the message, or passes a row whose only oddity is a −0.
 * @param what how to name the input in messages (`probabilities`, `committee[2]`).
 * @throws ValidationError e.g. `probabilities row 17 sums to 0.82, not 1 ± 1e-3`.
 */
export function validateProbabilities(
  p: Probabilities,
  opts: { kind?: ProbabilityKind; what?: string } = {},
): void {
  const what = opts.what ?? 'probabilities';
  checkProbabilitiesShape(p, what);
  const single = (opts.kind ?? 'single-label') === 'single-label';
  const { rows, labels, data } = p;
  const bits = bitsOf(data);
  for (let r = 0; r < rows; ) {
    r = probabilityRowsOk(data, bits, labels, r, rows, single);
    if (r < rows) checkProbabilityRow(p, r++, what, single);
  }
}

/** The shape part of {@link validateProbabilities}: an object whose `data` is a Float32Array of rows × labels values. */
export function checkProbabilitiesShape(p: Probabilities, what = 'probabilities'): void {
  if (p === null || typeof p !== 'object') fail(`${what} must be an object { rows, labels, data }`, what);
  checkShape(what, p.rows, p.labels, 'labels', p.data);
}

/** Largest float32 bit pattern of a multi-label value (1.0). */
const ONE_BITS = 0x3f800000;

/**
 * The fast screen of {@link validateProbabilities}: the first row in [from, to) that
 * may be invalid, or `to`. A row passes when no value has its sign bit set and
 * - single-label: the row sum (in order, as a double) is within 1 ± {@link SUM_TOLERANCE}.
 *   The per-value upper bound then holds too: values are ≥ 0, so each is ≤ the sum
 *   ≤ 1 + tolerance, and a NaN or +Infinity makes the sum fail;
 * - multi-label: every bit pattern is ≤ that of 1.0 (which also excludes NaN and +Infinity).
 * A row with a −0 fails the screen and passes {@link checkProbabilityRow}.
 */
function probabilityRowsOk(
  data: Float32Array,
  bits: Int32Array,
  labels: number,
  from: number,
  to: number,
  single: boolean,
): number {
  if (single) {
    for (let r = from, o = from * labels; r < to; r++, o += labels) {
      let s = 0, sign = 0;
      for (let j = o, end = o + labels; j < end; j++) {
        sign |= bits[j]!;
        s += data[j]!;
      }
      if (sign < 0 || !(Math.abs(s - 1) <= SUM_TOLERANCE)) return r;
    }
    return to;
  }
  for (let r = from, o = from * labels; r < to; r++, o += labels) {
    let bad = 0;
    for (let j = o, end = o + labels; j < end; j++) {
      const b = bits[j]!;
      bad |= b | ((ONE_BITS - b) | 0); // negative iff b < 0 (sign bit) or b > 1.0
    }
    if (bad < 0) return r;
  }
  return to;
}

/**
 * Row `r` of `p`, value by value (the exact rule of {@link validateProbabilities}):
 * throws for its first bad value, then for its sum; returns when the row is valid.
 */
export function checkProbabilityRow(p: Probabilities, r: number, what = 'probabilities', single = true): void {
  const { labels, data } = p;
  const hi = single ? 1 + SUM_TOLERANCE : 1;
  let s = 0;
  for (let j = 0, o = r * labels; j < labels; j++) {
    const v = data[o + j]!;
    if (!(v >= 0 && v <= hi)) {
      const why = Number.isNaN(v) ? 'is NaN' : v < 0 ? `is negative (${fmt(v)})` : `is ${fmt(v)}, above 1`;
      fail(`${what} row ${r}, column ${j} ${why}`, `${what}[${r}][${j}]`);
    }
    s += v;
  }
  if (single && !(Math.abs(s - 1) <= SUM_TOLERANCE)) {
    fail(`${what} row ${r} sums to ${fmt(s)}, not 1 ± ${SUM_TOLERANCE.toExponential()}`, `${what}[${r}]`);
  }
}

/** K ≥ 2 members, each valid single-label probabilities, all of member 0's shape. */
export function validateCommittee(members: readonly Probabilities[]): void {
  if (!Array.isArray(members)) fail('committee must be an array of probabilities', 'committee');
  if (members.length < 2) fail(`committee needs at least 2 members, got ${members.length}`, 'committee');
  const first = members[0]!;
  for (let k = 0; k < members.length; k++) {
    const m = members[k]!;
    validateProbabilities(m, { what: `committee[${k}]` });
    if (m.rows !== first.rows || m.labels !== first.labels) {
      fail(
        `committee[${k}] is ${m.rows} rows × ${m.labels} labels, but committee[0] is ${first.rows} × ${first.labels}`,
        `committee[${k}]`,
      );
    }
  }
}

/** rows × dim Float32Array of finite values; `rows`, when given, must match. */
export function validateEmbeddings(e: Embeddings, rows?: number): void {
  if (e === null || typeof e !== 'object') fail('embeddings must be an object { rows, dim, data }', 'embeddings');
  checkShape('embeddings', e.rows, e.dim, 'dim', e.data);
  if (rows !== undefined && e.rows !== rows) {
    fail(`embeddings have ${e.rows} rows, but the probabilities have ${rows}`, 'embeddings');
  }
  const { dim, data } = e;
  const bits = bitsOf(data);
  // Screen blocks on the bits: an all-ones exponent (NaN, ±Infinity) plus one ulp of
  // exponent carries into the sign bit. A flagged block is rescanned for the message.
  for (let from = 0; from < data.length; from += SCREEN_BLOCK) {
    const to = Math.min(from + SCREEN_BLOCK, data.length);
    let carry = 0;
    for (let i = from; i < to; i++) carry |= (bits[i]! & 0x7f800000) + 0x00800000;
    if (carry >= 0) continue;
    for (let i = from; i < to; i++) {
      const v = data[i]!;
      if (v - v !== 0) fail(`embeddings row ${Math.floor(i / dim)}, column ${i % dim} is ${fmt(v)}`, 'embeddings');
    }
  }
}

/** Values per block of the embeddings' non-finite screen. */
const SCREEN_BLOCK = 4096;

/** k must be a non-negative safe integer. */
export function validateK(k: number): void {
  if (!Number.isSafeInteger(k) || k < 0) fail(`k must be a non-negative integer, got ${String(k)}`, 'k');
}

/** Scores for a selector: no NaN (±Infinity are allowed and rank last / first). */
export function validateScores(scores: Float64Array | Float32Array): void {
  if (!(scores instanceof Float64Array || scores instanceof Float32Array)) fail('scores must be a Float64Array or Float32Array', 'scores');
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i]!)) fail(`scores[${i}] is NaN`, `scores[${i}]`);
  }
}

/** Per-row scores (e.g. uncertainty) for a strategy over `rows` items: no NaN, one per row. */
export function validateRowScores(scores: Float64Array, rows: number, what = 'uncertainty'): void {
  if (!(scores instanceof Float64Array)) fail(`${what} must be a Float64Array`, what);
  if (scores.length !== rows) fail(`${what} has ${scores.length} values, but there are ${rows} rows`, what);
  for (let i = 0; i < rows; i++) {
    if (Number.isNaN(scores[i]!)) fail(`${what}[${i}] is NaN`, `${what}[${i}]`);
  }
}

function checkIndexes(what: string, idx: Int32Array, rows: number, mark: Uint8Array, bit: number): void {
  if (!(idx instanceof Int32Array)) fail(`${what} must be an Int32Array of row indexes`, what);
  for (let t = 0; t < idx.length; t++) {
    const i = idx[t]!;
    if (i < 0 || i >= rows) fail(`${what}[${t}] = ${i} is out of range [0, ${rows})`, `${what}[${t}]`);
    if (mark[i]! & bit) fail(`${what}[${t}] = ${i} is a duplicate`, `${what}[${t}]`);
    if (mark[i]! !== 0) fail(`${what}[${t}] = ${i} is also in labelled`, `${what}[${t}]`);
    mark[i] = mark[i]! | bit;
  }
}

/**
 * The candidate rows (distinct, in range, disjoint from `labelled`), ascending —
 * so that "ties → lower position" means "ties → lower row" everywhere — and the
 * validated labelled rows. Default candidates: every row not labelled.
 */
export function resolvePool(
  rows: number,
  opts: { candidates?: Int32Array | undefined; labelled?: Int32Array | undefined },
): { candidates: Int32Array; labelled: Int32Array } {
  const fast = ascendingPool(rows, opts);
  if (fast) return fast;
  const mark = new Uint8Array(rows);
  const labelled = opts.labelled ?? new Int32Array(0);
  checkIndexes('labelled', labelled, rows, mark, 1);
  if (opts.candidates) {
    const c = opts.candidates;
    checkIndexes('candidates', c, rows, mark, 2);
    let sorted = true;
    for (let t = 1; t < c.length && sorted; t++) sorted = c[t - 1]! < c[t]!;
    return { candidates: sorted ? c : c.slice().sort(), labelled };
  }
  const candidates = new Int32Array(rows - labelled.length);
  for (let i = 0, t = 0; i < rows; i++) if (mark[i] === 0) candidates[t++] = i;
  return { candidates, labelled };
}

/** True when `a` is strictly ascending within [0, rows): then its indexes are distinct and in range. */
function ascendingWithin(a: Int32Array, rows: number): boolean {
  const n = a.length;
  if (n === 0) return true;
  if (a[0]! < 0 || a[n - 1]! >= rows) return false;
  for (let t = 1; t < n; t++) if (!(a[t - 1]! < a[t]!)) return false;
  return true;
}

/**
 * {@link resolvePool} without the per-row mark array, for the usual input (the
 * service passes both lists ascending): index lists that are Int32Arrays, strictly
 * ascending and in range are valid; candidates ∩ labelled = ∅ is a merge walk.
 * Same result as the general path; null sends anything else there (which also
 * words every error).
 */
function ascendingPool(
  rows: number,
  opts: { candidates?: Int32Array | undefined; labelled?: Int32Array | undefined },
): { candidates: Int32Array; labelled: Int32Array } | null {
  const labelled = opts.labelled ?? new Int32Array(0);
  if (!(labelled instanceof Int32Array) || !ascendingWithin(labelled, rows)) return null;
  const c = opts.candidates;
  const nl = labelled.length;
  if (c) {
    if (!(c instanceof Int32Array) || !ascendingWithin(c, rows)) return null;
    const nc = c.length;
    for (let j = 0, i = 0; j < nl; j++) {
      const b = labelled[j]!;
      while (i < nc && c[i]! < b) i++; // one exit (mispredict) per labelled row, not per step
      if (i < nc && c[i] === b) return null;
    }
    return { candidates: c, labelled };
  }
  const candidates = new Int32Array(rows - nl);
  for (let j = 0, from = 0, t = 0; j <= nl; j++) {
    const to = j < nl ? labelled[j]! : rows; // the rows between two labelled ones
    for (let i = from; i < to; i++) candidates[t++] = i;
    from = to + 1;
  }
  return { candidates, labelled };
}

/** A finite number in [lo, hi], else a ValidationError naming the option. */
export function checkNumber(name: string, v: number, lo: number, hi: number): number {
  if (typeof v !== 'number' || !(v >= lo && v <= hi)) fail(`${name} must be a number in [${lo}, ${hi}], got ${String(v)}`, name);
  return v;
}
