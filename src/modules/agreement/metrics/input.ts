/**
 * Input validation, label → integer encoding, and the single per-unit scan
 * shared by all multi-coder metrics. Internal except for {@link encodeRatings}
 * and {@link countsFromMatrix}.
 */
import {
  AgreementInputError,
  type Categories,
  type CountMatrix,
  type EncodedMatrix,
  type MultiRaterInput,
  type RatingMatrix,
} from './types.js';

/** Throws unless `categories` is a non-empty list of unique strings. */
export function checkCategories(categories: Categories): void {
  if (!Array.isArray(categories) || categories.length === 0) {
    throw new AgreementInputError('categories must be a non-empty array of strings');
  }
  const seen = new Set<string>();
  for (let i = 0; i < categories.length; i++) {
    const c = categories[i];
    if (typeof c !== 'string') {
      throw new AgreementInputError(`categories[${i}] is not a string`, { category: i });
    }
    if (seen.has(c)) {
      throw new AgreementInputError(`categories[${i}] ${JSON.stringify(c)} is a duplicate`, { category: i });
    }
    seen.add(c);
  }
}

/**
 * Map string labels to integer codes once (validating everything).
 *
 * @example
 * encodeRatings({ categories: ['a', 'b'], units: [['a', null], ['b', 'b']] })
 * // → { codes: Int32Array [0, -1, 1, 1], nUnits: 2, nCoders: 2, categories: ['a', 'b'] }
 * @throws AgreementInputError on empty data, ragged rows or unknown labels.
 */
export function encodeRatings(matrix: RatingMatrix): EncodedMatrix {
  checkCategories(matrix.categories);
  const units = matrix.units;
  if (!Array.isArray(units) || units.length === 0) {
    throw new AgreementInputError('units must be a non-empty array of rows (one row per unit)');
  }
  const first = units[0];
  const nCoders = Array.isArray(first) ? first.length : -1;
  if (nCoders < 1) throw new AgreementInputError('unit 0 has no coder columns', { unit: 0 });
  const index = new Map<string, number>();
  matrix.categories.forEach((c, i) => index.set(c, i));
  const nUnits = units.length;
  const codes = new Int32Array(nUnits * nCoders);
  for (let u = 0; u < nUnits; u++) {
    const row = units[u];
    if (!Array.isArray(row) || row.length !== nCoders) {
      const len = Array.isArray(row) ? row.length : 'not an array';
      throw new AgreementInputError(
        `ragged data: unit ${u} has ${len} coder columns, expected ${nCoders} (as unit 0)`,
        { unit: u },
      );
    }
    const base = u * nCoders;
    for (let c = 0; c < nCoders; c++) {
      const label: unknown = row[c];
      if (label === null) {
        codes[base + c] = -1;
        continue;
      }
      const code = typeof label === 'string' ? index.get(label) : undefined;
      if (code === undefined) {
        throw new AgreementInputError(
          `unit ${u}, coder ${c}: label ${JSON.stringify(label) ?? String(label)} is not one of the declared categories`,
          { unit: u, coder: c },
        );
      }
      codes[base + c] = code;
    }
  }
  const out: EncodedMatrix = { codes, nUnits, nCoders, categories: matrix.categories };
  return matrix.values === undefined ? out : { ...out, values: matrix.values };
}

/** Throws unless `m` is a well-formed EncodedMatrix with at least `minCoders` columns. */
export function checkEncoded(m: EncodedMatrix, minCoders: number): void {
  checkCategories(m.categories);
  const { nUnits, nCoders, codes } = m;
  if (!(codes instanceof Int32Array)) throw new AgreementInputError('codes must be an Int32Array');
  if (!Number.isInteger(nUnits) || nUnits < 1) {
    throw new AgreementInputError(`nUnits must be a positive integer (got ${nUnits}); data is empty`);
  }
  if (!Number.isInteger(nCoders) || nCoders < 1) {
    throw new AgreementInputError(`nCoders must be a positive integer (got ${nCoders})`);
  }
  if (codes.length !== nUnits * nCoders) {
    throw new AgreementInputError(
      `codes has length ${codes.length}, expected nUnits × nCoders = ${nUnits} × ${nCoders}`,
    );
  }
  if (nCoders < minCoders) {
    throw new AgreementInputError(`this metric needs at least ${minCoders} coders, got ${nCoders}`);
  }
}

/**
 * Numeric value of each category (interval/ratio): explicit `values`, else the
 * parsed names when all are finite numbers, else positions 0..k-1.
 */
export function categoryValues(categories: Categories, values?: readonly number[]): Float64Array {
  const k = categories.length;
  const out = new Float64Array(k);
  if (values !== undefined) {
    if (!Array.isArray(values) || values.length !== k) {
      throw new AgreementInputError(`values must have one number per category (${k}), got ${values.length}`);
    }
    for (let i = 0; i < k; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new AgreementInputError(`values[${i}] is not a finite number`, { category: i });
      }
      out[i] = v;
    }
    return out;
  }
  let numeric = true;
  for (let i = 0; i < k && numeric; i++) {
    const s = (categories[i] ?? '').trim();
    const v = s === '' ? Number.NaN : Number(s);
    if (Number.isFinite(v)) out[i] = v;
    else numeric = false;
  }
  if (!numeric) for (let i = 0; i < k; i++) out[i] = i;
  return out;
}

/** Normalized per-unit source: either codes (units × coders) or dense counts (units × k). */
export type Source =
  | { kind: 'codes'; m: EncodedMatrix; k: number }
  | { kind: 'counts'; counts: Float64Array; nUnits: number; k: number };

function isEncoded(x: MultiRaterInput): x is EncodedMatrix {
  return (x as EncodedMatrix).codes !== undefined;
}
function isCounts(x: MultiRaterInput): x is CountMatrix {
  return (x as CountMatrix).counts !== undefined;
}

/** Validate and normalize any multi-coder input (matrix needs ≥ `minCoders` columns). */
export function toSource(input: MultiRaterInput, minCoders: number): Source {
  if (isEncoded(input)) {
    checkEncoded(input, minCoders);
    return { kind: 'codes', m: input, k: input.categories.length };
  }
  if (isCounts(input)) {
    checkCategories(input.categories);
    const k = input.categories.length;
    const rows = input.counts;
    if (!Array.isArray(rows) || rows.length === 0) {
      throw new AgreementInputError('counts must be a non-empty array of rows (one row per unit)');
    }
    const counts = new Float64Array(rows.length * k);
    for (let u = 0; u < rows.length; u++) {
      const row = rows[u];
      if (!Array.isArray(row) || row.length !== k) {
        throw new AgreementInputError(
          `unit ${u}: counts row must have one entry per category (${k})`,
          { unit: u },
        );
      }
      for (let j = 0; j < k; j++) {
        const x: unknown = row[j];
        if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) {
          throw new AgreementInputError(
            `unit ${u}, category ${j}: count must be a non-negative integer, got ${String(x)}`,
            { unit: u, category: j },
          );
        }
        counts[u * k + j] = x;
      }
    }
    return { kind: 'counts', counts, nUnits: rows.length, k };
  }
  const enc = encodeRatings(input);
  checkEncoded(enc, minCoders);
  return { kind: 'codes', m: enc, k: enc.categories.length };
}

/**
 * Per-unit visitor: `cats[0..d)` are the distinct categories used on the unit,
 * `cnts[i]` how many ratings fell in `cats[i]`, `m` the unit's total ratings.
 * Called for units with m ≥ 1 only. The arrays are scratch buffers.
 */
export type UnitVisitor = (cats: Int32Array, cnts: Float64Array, d: number, m: number) => void;

/**
 * One pass over all units. Returns the number of coders with ≥ 1 rating
 * (counts input: the largest m_u). Validates code ranges on the fly.
 */
export function scanUnits(src: Source, visit: UnitVisitor): { coders: number } {
  const k = src.k;
  if (src.kind === 'counts') {
    const cats = new Int32Array(k);
    const cnts = new Float64Array(k);
    const { counts, nUnits } = src;
    let maxM = 0;
    for (let u = 0; u < nUnits; u++) {
      const base = u * k;
      let d = 0;
      let m = 0;
      for (let j = 0; j < k; j++) {
        const x = counts[base + j]!;
        if (x > 0) {
          cats[d] = j;
          cnts[d] = x;
          d++;
          m += x;
        }
      }
      if (m > maxM) maxM = m;
      if (m > 0) visit(cats, cnts, d, m);
    }
    return { coders: maxM };
  }
  const { codes, nUnits, nCoders } = src.m;
  const tally = new Float64Array(k);
  const cats = new Int32Array(nCoders);
  const cnts = new Float64Array(nCoders);
  const seen = new Uint8Array(nCoders);
  for (let u = 0; u < nUnits; u++) {
    const base = u * nCoders;
    let d = 0;
    let m = 0;
    for (let c = 0; c < nCoders; c++) {
      const code = codes[base + c]!;
      if (code < 0) {
        if (code !== -1) badCode(u, c, code, k);
        continue;
      }
      if (code >= k) badCode(u, c, code, k);
      if (tally[code] === 0) cats[d++] = code;
      tally[code]!++;
      seen[c] = 1;
      m++;
    }
    if (m === 0) continue;
    for (let i = 0; i < d; i++) {
      const cat = cats[i]!;
      cnts[i] = tally[cat]!;
      tally[cat] = 0;
    }
    visit(cats, cnts, d, m);
  }
  let coders = 0;
  for (let c = 0; c < nCoders; c++) coders += seen[c]!;
  return { coders };
}

function badCode(u: number, c: number, code: number, k: number): never {
  throw new AgreementInputError(
    `unit ${u}, coder ${c}: code ${code} is out of range (expected -1 for missing or 0..${k - 1})`,
    { unit: u, coder: c },
  );
}

/**
 * Per-unit category counts from reliability data (anonymous raters).
 *
 * @example
 * countsFromMatrix({ categories: ['a', 'b'], units: [['a', 'b', 'a'], ['b', null, 'b']] })
 * // → { categories: ['a', 'b'], counts: [[2, 1], [0, 2]] }
 */
export function countsFromMatrix(input: RatingMatrix | EncodedMatrix): CountMatrix {
  const m = 'codes' in input ? input : encodeRatings(input);
  checkEncoded(m, 1);
  const k = m.categories.length;
  const counts: number[][] = [];
  for (let u = 0; u < m.nUnits; u++) {
    const row = new Array<number>(k).fill(0);
    for (let c = 0; c < m.nCoders; c++) {
      const code = m.codes[u * m.nCoders + c]!;
      if (code >= k || code < -1) badCode(u, c, code, k);
      if (code >= 0) row[code] = (row[code] ?? 0) + 1;
    }
    counts.push(row);
  }
  const out: CountMatrix = { categories: m.categories, counts };
  return m.values === undefined ? out : { ...out, values: m.values };
}
