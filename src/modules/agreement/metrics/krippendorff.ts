/**
 * Krippendorff's alpha at the nominal, ordinal, interval and ratio levels.
 */
import { categoryValues, scanUnits, toSource, type UnitVisitor } from './input.js';
import { undefinedResult } from './tally.js';
import {
  AgreementInputError,
  type AgreementResult,
  type KrippendorffLevel,
  type MultiRaterInput,
} from './types.js';

export interface KrippendorffOptions {
  /** Metric δ²; default 'nominal'. */
  level?: KrippendorffLevel;
}

const LEVELS: readonly KrippendorffLevel[] = ['nominal', 'ordinal', 'interval', 'ratio'];

/**
 * Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's
 * Alpha-Reliability", repository.upenn.edu/asc_papers/43; Krippendorff 2004,
 * *Content Analysis*, 2nd ed., §11.3), for any number of coders with missing
 * values. Built on the coincidence matrix:
 *
 *     o_ck = Σ_u (number of c–k value pairs in unit u) / (m_u − 1)   (units with m_u ≥ 2 only)
 *     n_c  = Σ_k o_ck,  n = Σ_c n_c
 *     D_o  = Σ_ck o_ck δ²_ck / n,   D_e = Σ_ck n_c n_k δ²_ck / (n (n − 1))
 *     α    = 1 − D_o / D_e
 *
 * δ² by level (c, k are category values for interval/ratio, positions in the
 * ordered `categories` list for ordinal):
 * - nominal:  [c ≠ k]
 * - ordinal:  (Σ_{g=c..k} n_g − (n_c + n_k)/2)²
 * - interval: (c − k)²
 * - ratio:    ((c − k)/(c + k))², δ(0,0) = 0; values must be ≥ 0
 *
 * Interval/ratio values come from `input.values`, else numeric category
 * names, else positions 0..k-1. Units with fewer than 2 values are dropped
 * (they are not pairable). The coincidence matrix is never materialized:
 * nominal and interval use closed forms per unit and on the marginals
 * (O(units × coders + k)); ordinal and ratio add an O(k_used²) pass for D_e.
 *
 * Undefined (`value: null`): no pairable unit, or all pairable values equal
 * (D_e = 0). `observed` = D_o, `expected` = D_e.
 *
 * @example
 * krippendorffAlpha({ categories: ['a', 'b'], units: [['a', 'a'], ['a', 'b'], ['b', 'b']] })
 * // n = 6, n_a = n_b = 3, Σ o δ² = 2, Σ n_c n_k δ² = 18 → α = 1 − 5·2/18 = 4/9 ≈ 0.444
 * // Krippendorff (2011) example C (4 coders × 12 units, missing values):
 * // nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797
 */
export function krippendorffAlpha(input: MultiRaterInput, options: KrippendorffOptions = {}): AgreementResult {
  const level = options.level ?? 'nominal';
  if (!LEVELS.includes(level)) {
    throw new AgreementInputError(`unknown Krippendorff level ${JSON.stringify(level)} (use ${LEVELS.join(', ')})`);
  }
  const src = toSource(input, 2);
  const k = src.k;
  const numeric = level === 'interval' || level === 'ratio';
  const vals = numeric ? categoryValues(input.categories, input.values) : new Float64Array(0);
  if (level === 'ratio') {
    for (let j = 0; j < k; j++) {
      if (vals[j]! < 0) {
        throw new AgreementInputError(
          `ratio level needs non-negative values; category ${j} (${JSON.stringify(input.categories[j])}) has value ${vals[j]}`,
          { category: j },
        );
      }
    }
  }

  const marg = new Float64Array(k);
  let pairable = 0;
  let n = 0;
  let doNum = 0;
  let visit: UnitVisitor;
  if (level === 'nominal') {
    visit = (cats, cnts, d, m) => {
      if (m < 2) return;
      pairable++;
      n += m;
      let sq = 0;
      for (let i = 0; i < d; i++) {
        const c = cnts[i]!;
        marg[cats[i]!]! += c;
        sq += c * c;
      }
      doNum += (m * m - sq) / (m - 1);
    };
  } else if (level === 'interval') {
    visit = (cats, cnts, d, m) => {
      if (m < 2) return;
      pairable++;
      n += m;
      let s = 0;
      for (let i = 0; i < d; i++) {
        const c = cnts[i]!;
        marg[cats[i]!]! += c;
        s += c * vals[cats[i]!]!;
      }
      const mean = s / m;
      let ss = 0;
      for (let i = 0; i < d; i++) {
        const dv = vals[cats[i]!]! - mean;
        ss += cnts[i]! * dv * dv;
      }
      // Σ over ordered pairs of values (v_i − v_j)² = 2 m Σ (v_i − mean)²
      doNum += (2 * m * ss) / (m - 1);
    };
  } else if (level === 'ratio') {
    visit = (cats, cnts, d, m) => {
      if (m < 2) return;
      pairable++;
      n += m;
      let s = 0;
      for (let i = 0; i < d; i++) {
        const ci = cnts[i]!;
        const a = vals[cats[i]!]!;
        marg[cats[i]!]! += ci;
        for (let j = i + 1; j < d; j++) s += 2 * ci * cnts[j]! * ratioDelta2(a, vals[cats[j]!]!);
      }
      doNum += s / (m - 1);
    };
  } else {
    visit = (cats, cnts, d, m) => {
      if (m < 2) return;
      pairable++;
      n += m;
      for (let i = 0; i < d; i++) marg[cats[i]!]! += cnts[i]!;
    };
  }
  const { coders } = scanUnits(src, visit);
  if (pairable === 0) {
    return undefinedResult('no pairable unit (no unit has 2 or more values), so alpha is undefined', 0, coders);
  }

  const used: number[] = [];
  for (let j = 0; j < k; j++) if (marg[j]! > 0) used.push(j);
  const first = used[0]!;
  const varies = numeric ? used.some((j) => vals[j] !== vals[first]) : used.length > 1;
  if (!varies) {
    return undefinedResult(
      'all pairable values are equal: expected disagreement D_e is 0, so alpha is 0/0 (undefined)',
      pairable,
      coders,
      0,
      0,
    );
  }

  let deNum = 0;
  if (level === 'nominal') {
    let sq = 0;
    for (const j of used) sq += marg[j]! * marg[j]!;
    deNum = n * n - sq;
  } else if (level === 'interval') {
    let s = 0;
    for (const j of used) s += marg[j]! * vals[j]!;
    const mean = s / n;
    let ss = 0;
    for (const j of used) ss += marg[j]! * (vals[j]! - mean) * (vals[j]! - mean);
    deNum = 2 * n * ss;
  } else if (level === 'ratio') {
    for (let a = 0; a < used.length; a++) {
      const ja = used[a]!;
      for (let b = a + 1; b < used.length; b++) {
        const jb = used[b]!;
        deNum += 2 * marg[ja]! * marg[jb]! * ratioDelta2(vals[ja]!, vals[jb]!);
      }
    }
  } else {
    // ordinal: cum[i] = Σ_{g<i} n_g over the declared order
    const cum = new Float64Array(k + 1);
    for (let j = 0; j < k; j++) cum[j + 1] = cum[j]! + marg[j]!;
    const delta2 = (c: number, e: number): number => {
      const lo = c < e ? c : e;
      const hi = c < e ? e : c;
      const x = cum[hi + 1]! - cum[lo]! - (marg[lo]! + marg[hi]!) / 2;
      return x * x;
    };
    for (let a = 0; a < used.length; a++) {
      const ja = used[a]!;
      for (let b = a + 1; b < used.length; b++) {
        const jb = used[b]!;
        deNum += 2 * marg[ja]! * marg[jb]! * delta2(ja, jb);
      }
    }
    scanUnits(src, (cats, cnts, d, m) => {
      if (m < 2) return;
      let s = 0;
      for (let i = 0; i < d; i++) {
        const ci = cnts[i]!;
        const ca = cats[i]!;
        for (let j = i + 1; j < d; j++) s += 2 * ci * cnts[j]! * delta2(ca, cats[j]!);
      }
      doNum += s / (m - 1);
    });
  }

  const dObs = doNum / n;
  const dExp = deNum / (n * (n - 1));
  return { value: 1 - dObs / dExp, units: pairable, coders, observed: dObs, expected: dExp };
}

function ratioDelta2(a: number, b: number): number {
  const s = a + b;
  if (s === 0) return 0;
  const r = (a - b) / s;
  return r * r;
}
