/**
 * Gwet's AC1 (first-order agreement coefficient), any number of raters.
 */
import { multiTally, undefinedResult } from './tally.js';
import type { AgreementResult, MultiRaterInput } from './types.js';

/**
 * Gwet's AC1 (Gwet 2008, "Computing inter-rater reliability and its variance
 * in the presence of high agreement", BJMSP 61(1); Gwet 2014, *Handbook of
 * Inter-Rater Reliability*, 4th ed.; R/Python `irrCAC` `gwet.ac1.raw`):
 *
 *     p_a = mean over units with m_u ≥ 2 of Σ_k n_uk (n_uk − 1) / (m_u (m_u − 1))
 *     π_k = mean over units with m_u ≥ 1 of n_uk / m_u
 *     p_e = Σ_k π_k (1 − π_k) / (q − 1),   q = number of DECLARED categories
 *     AC1 = (p_a − p_e) / (1 − p_e)
 *
 * Declared-but-unused categories count in q. Since p_e ≤ 1/q < 1, AC1 is
 * defined whenever some unit has ≥ 2 ratings and q ≥ 2; otherwise
 * `value: null` with a reason. In particular, when every rating falls in one
 * category, p_e = 0 and AC1 = p_a — the formula's own value, not a
 * substitute. `observed` = p_a, `expected` = p_e.
 *
 * @example
 * gwetAC1({ categories: ['a', 'b'],
 *   units: [['a', 'a'], ['a', 'a'], ['a', 'b'], ['b', 'b']] })
 * // p_a = 3/4, π = (5/8, 3/8), p_e = 15/32 → AC1 = 9/17 ≈ 0.5294
 */
export function gwetAC1(input: MultiRaterInput): AgreementResult {
  const t = multiTally(input);
  if (t.units2 === 0) {
    return undefinedResult('no unit has 2 or more ratings, so AC1 is undefined', 0, t.coders);
  }
  const pa = t.agreeSum / t.units2;
  const q = t.k;
  if (q < 2) {
    return undefinedResult('only one category is declared: AC1 needs q ≥ 2 (p_e divides by q − 1)', t.units2, t.coders, pa);
  }
  let s = 0;
  for (let j = 0; j < q; j++) {
    const p = t.share[j]! / t.units1;
    s += p * (1 - p);
  }
  const pe = s / (q - 1);
  return { value: (pa - pe) / (1 - pe), units: t.units2, coders: t.coders, observed: pa, expected: pe };
}
