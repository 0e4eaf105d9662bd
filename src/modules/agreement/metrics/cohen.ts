/**
 * Cohen's kappa for two raters: unweighted, linear- and quadratic-weighted.
 */
import { pairTally, SINGLE_CATEGORY_PAIR, undefinedResult } from './tally.js';
import { AgreementInputError, type AgreementResult, type CohenWeights, type TwoRaterInput } from './types.js';

export interface CohenOptions {
  /** Disagreement weights v_ij: 'none' [i≠j] (default), 'linear' |i−j|, 'quadratic' (i−j)². */
  weights?: CohenWeights;
}

/**
 * Cohen's kappa (Cohen 1960, "A coefficient of agreement for nominal scales",
 * EPM 20(1); weighted: Cohen 1968, Psychological Bulletin 70(4)):
 *
 *     κ_w = 1 − Σ_ij v_ij o_ij / Σ_ij v_ij e_ij,   e_ij = r_i c_j / N
 *
 * with disagreement weights v_ij = [i≠j] (unweighted, equivalently
 * κ = (p_o − p_e)/(1 − p_e)), |i − j| (linear) or (i − j)² (quadratic).
 * **i, j are positions in the declared `categories` list** (not category
 * values), as in R `irr::kappa2`, SAS, scikit-learn (`labels=`), statsmodels;
 * declared categories nobody used still count for the spacing.
 *
 * Input: a 2-column matrix (units with a missing rating are dropped —
 * listwise deletion) or a contingency table (rows = rater 1). Exactly 2
 * coders, else {@link AgreementInputError}. Computed in O(N + k) from the
 * marginals, without building a k × k table.
 *
 * `observed`/`expected`: p_o and p_e when unweighted; the mean observed and
 * chance-expected weighted disagreement (Σ v o / N, Σ v e / N) when weighted.
 * Undefined (`value: null`) when no unit is rated by both coders or when both
 * coders used one single (same) category for everything.
 *
 * @example
 * // Wikipedia grant example: table [[20, 5], [10, 15]]
 * cohenKappa({ categories: ['yes', 'no'], table: [[20, 5], [10, 15]] })
 * // p_o = 0.7, p_e = 0.5 → κ = 0.4
 * cohenKappa({ categories: ['1', '2', '3'], units: [['1', '1'], ['1', '2'], ['3', '3'], ['2', '3']] },
 *   { weights: 'quadratic' })
 * // Σv·o/N = 1/2, Σv·e/N = 13/8 → κ_w = 9/13 ≈ 0.6923
 */
export function cohenKappa(input: TwoRaterInput, options: CohenOptions = {}): AgreementResult {
  const weights = options.weights ?? 'none';
  if (weights !== 'none' && weights !== 'linear' && weights !== 'quadratic') {
    throw new AgreementInputError(`unknown Cohen weights ${JSON.stringify(weights)} (use none, linear or quadratic)`);
  }
  const t = pairTally(input);
  const { n, k, rows, cols } = t;
  if (n === 0) return undefinedResult('no unit is rated by both coders', 0, t.coders);
  if (t.usedCategories < 2) return undefinedResult(SINGLE_CATEGORY_PAIR, n, t.coders, 1, 1);

  if (weights === 'none') {
    const po = t.agree / n;
    let pe = 0;
    for (let j = 0; j < k; j++) pe += (rows[j]! / n) * (cols[j]! / n);
    return { value: (po - pe) / (1 - pe), units: n, coders: t.coders, observed: po, expected: pe };
  }

  let observed: number;
  let expected: number;
  if (weights === 'linear') {
    observed = t.absDiff / n;
    // Σ_i r_i Σ_j c_j |i − j| with running prefix sums of c_j and j·c_j.
    let totC = 0;
    let totJC = 0;
    for (let j = 0; j < k; j++) {
      totC += cols[j]!;
      totJC += j * cols[j]!;
    }
    let leftC = 0;
    let leftJC = 0;
    let s = 0;
    for (let i = 0; i < k; i++) {
      const ci = cols[i]!;
      // left: j < i ; right: j > i (j = i contributes 0)
      const left = i * leftC - leftJC;
      const right = totJC - leftJC - i * ci - i * (totC - leftC - ci);
      s += rows[i]! * (left + right);
      leftC += ci;
      leftJC += i * ci;
    }
    expected = s / (n * n);
  } else {
    observed = t.sqDiff / n;
    // Σ_ij r_i c_j (i − j)² / N² = var_r + var_c + (μ_r − μ_c)²  (population moments)
    let mr = 0;
    let mc = 0;
    for (let j = 0; j < k; j++) {
      mr += j * rows[j]!;
      mc += j * cols[j]!;
    }
    mr /= n;
    mc /= n;
    let vr = 0;
    let vc = 0;
    for (let j = 0; j < k; j++) {
      vr += rows[j]! * (j - mr) * (j - mr);
      vc += cols[j]! * (j - mc) * (j - mc);
    }
    expected = vr / n + vc / n + (mr - mc) * (mr - mc);
  }
  if (!(expected > 0)) return undefinedResult(SINGLE_CATEGORY_PAIR, n, t.coders, observed, 0);
  return { value: 1 - observed / expected, units: n, coders: t.coders, observed, expected };
}
