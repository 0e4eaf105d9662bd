/**
 * Sufficient statistics shared by several metrics (internal):
 * - {@link multiTally}: per-unit agreement and category shares (percent
 *   agreement, Fleiss' kappa, Gwet's AC1);
 * - {@link pairTally}: two-rater marginals and observed (weighted)
 *   disagreement (Cohen's kappa, Scott's pi).
 */
import { checkCategories, checkEncoded, encodeRatings, scanUnits, toSource } from './input.js';
import {
  AgreementInputError,
  type AgreementResult,
  type ContingencyTable,
  type EncodedMatrix,
  type MultiRaterInput,
  type TwoRaterInput,
} from './types.js';

/** A `value: null` result carrying the documented reason. */
export function undefinedResult(
  reason: string,
  units: number,
  coders: number,
  observed: number | null = null,
  expected: number | null = null,
): AgreementResult {
  return { value: null, reason, units, coders, observed, expected };
}

export interface MultiTally {
  k: number;
  /** Σ over units with m_u ≥ 2 of Σ_k n_uk(n_uk − 1) / (m_u(m_u − 1)). */
  agreeSum: number;
  /** Units with m_u ≥ 2. */
  units2: number;
  /** Units with m_u ≥ 1. */
  units1: number;
  /** share[k] = Σ over units with m_u ≥ 1 of n_uk / m_u. */
  share: Float64Array;
  /** Categories with share > 0. */
  usedCategories: number;
  coders: number;
}

/** One pass: everything percent agreement, Fleiss and AC1 need. */
export function multiTally(input: MultiRaterInput): MultiTally {
  const src = toSource(input, 2);
  const share = new Float64Array(src.k);
  let agreeSum = 0;
  let units2 = 0;
  let units1 = 0;
  const { coders } = scanUnits(src, (cats, cnts, d, m) => {
    units1++;
    const inv = 1 / m;
    let same = 0;
    for (let i = 0; i < d; i++) {
      const n = cnts[i]!;
      share[cats[i]!]! += n * inv;
      same += n * (n - 1);
    }
    if (m >= 2) {
      units2++;
      agreeSum += same / (m * (m - 1));
    }
  });
  let usedCategories = 0;
  for (let j = 0; j < src.k; j++) if (share[j]! > 0) usedCategories++;
  return { k: src.k, agreeSum, units2, units1, share, usedCategories, coders };
}

export interface PairTally {
  k: number;
  /** Units (or total weight) rated by both coders. */
  n: number;
  /** Units on which both coders chose the same category. */
  agree: number;
  /** Σ |i − j| and Σ (i − j)² over units (category positions). */
  absDiff: number;
  sqDiff: number;
  rows: Float64Array;
  cols: Float64Array;
  usedCategories: number;
  coders: number;
}

function isTable(x: TwoRaterInput): x is ContingencyTable {
  return (x as ContingencyTable).table !== undefined;
}

/** Two-rater tally from a 2-column matrix (listwise deletion) or a contingency table. */
export function pairTally(input: TwoRaterInput): PairTally {
  if (isTable(input)) return tableTally(input);
  const m: EncodedMatrix = 'codes' in input ? input : encodeRatings(input);
  checkEncoded(m, 2);
  if (m.nCoders !== 2) {
    throw new AgreementInputError(`this metric needs exactly 2 coders, got ${m.nCoders}`);
  }
  const k = m.categories.length;
  const rows = new Float64Array(k);
  const cols = new Float64Array(k);
  const codes = m.codes;
  let n = 0;
  let agree = 0;
  let absDiff = 0;
  let sqDiff = 0;
  let seen0 = 0;
  let seen1 = 0;
  for (let u = 0; u < m.nUnits; u++) {
    const a = codes[2 * u]!;
    const b = codes[2 * u + 1]!;
    if (a < -1 || a >= k) badCode(u, 0, a, k);
    if (b < -1 || b >= k) badCode(u, 1, b, k);
    if (a >= 0) seen0 = 1;
    if (b >= 0) seen1 = 1;
    if (a < 0 || b < 0) continue;
    n++;
    rows[a]!++;
    cols[b]!++;
    const diff = a - b;
    if (diff === 0) agree++;
    else {
      absDiff += diff < 0 ? -diff : diff;
      sqDiff += diff * diff;
    }
  }
  return finish({ k, n, agree, absDiff, sqDiff, rows, cols, usedCategories: 0, coders: seen0 + seen1 });
}

function tableTally(t: ContingencyTable): PairTally {
  checkCategories(t.categories);
  const k = t.categories.length;
  if (!Array.isArray(t.table) || t.table.length !== k) {
    throw new AgreementInputError(`contingency table must have ${k} rows (one per category)`);
  }
  const rows = new Float64Array(k);
  const cols = new Float64Array(k);
  let n = 0;
  let agree = 0;
  let absDiff = 0;
  let sqDiff = 0;
  for (let i = 0; i < k; i++) {
    const row = t.table[i];
    if (!Array.isArray(row) || row.length !== k) {
      throw new AgreementInputError(`contingency table row ${i} must have ${k} entries`, { category: i });
    }
    for (let j = 0; j < k; j++) {
      const x: unknown = row[j];
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
        throw new AgreementInputError(
          `contingency table cell [${i}][${j}] must be a non-negative finite number, got ${String(x)}`,
          { category: i },
        );
      }
      n += x;
      rows[i]! += x;
      cols[j]! += x;
      if (i === j) agree += x;
      else {
        absDiff += x * Math.abs(i - j);
        sqDiff += x * (i - j) * (i - j);
      }
    }
  }
  return finish({ k, n, agree, absDiff, sqDiff, rows, cols, usedCategories: 0, coders: n > 0 ? 2 : 0 });
}

function finish(t: PairTally): PairTally {
  let used = 0;
  for (let j = 0; j < t.k; j++) if (t.rows[j]! + t.cols[j]! > 0) used++;
  t.usedCategories = used;
  return t;
}

function badCode(u: number, c: number, code: number, k: number): never {
  throw new AgreementInputError(
    `unit ${u}, coder ${c}: code ${code} is out of range (expected -1 for missing or 0..${k - 1})`,
    { unit: u, coder: c },
  );
}

/** Reason used by Cohen / Scott when the two coders share one single category. */
export const SINGLE_CATEGORY_PAIR =
  'both coders used one and the same category for every unit: chance agreement is 1, so the coefficient is 0/0 (undefined)';
