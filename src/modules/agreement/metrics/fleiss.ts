/**
 * Fleiss' kappa with Gwet's (2014) generalization to unequal numbers of raters.
 */
import { multiTally, undefinedResult } from './tally.js';
import type { AgreementResult, MultiRaterInput } from './types.js';

/**
 * Fleiss' kappa (Fleiss 1971, "Measuring nominal scale agreement among many
 * raters", Psychological Bulletin 76(5)), generalized to a varying number of
 * raters per unit as in Gwet (2014, *Handbook of Inter-Rater Reliability*,
 * 4th ed.) and R/Python `irrCAC` `fleiss.kappa.raw`:
 *
 *     P̄   = mean over units with m_u ≥ 2 of Σ_k n_uk (n_uk − 1) / (m_u (m_u − 1))
 *     p_k = mean over units with m_u ≥ 1 of n_uk / m_u
 *     P̄_e = Σ_k p_k²
 *     κ   = (P̄ − P̄_e) / (1 − P̄_e)
 *
 * With the same number of raters on every unit this is exactly Fleiss'
 * formula. `observed` = P̄, `expected` = P̄_e.
 *
 * Undefined (`value: null`) when no unit has ≥ 2 ratings or when every rating
 * falls in one single category (P̄_e = 1, 0/0).
 *
 * @example
 * fleissKappa({ categories: ['a', 'b'],
 *   units: [['a', 'a'], ['a', 'a'], ['a', 'b'], ['b', 'b']] })
 * // P̄ = 3/4, p = (5/8, 3/8), P̄_e = 17/32 → κ = 7/15 ≈ 0.4667
 * fleissKappa({ categories: ['a', 'b'], counts: [[3, 0], [2, 1], [0, 3], [1, 2]] })
 * // P̄ = 2/3, P̄_e = 1/2 → κ = 1/3
 */
export function fleissKappa(input: MultiRaterInput): AgreementResult {
  const t = multiTally(input);
  if (t.units2 === 0) {
    return undefinedResult('no unit has 2 or more ratings, so kappa is undefined', 0, t.coders);
  }
  const pa = t.agreeSum / t.units2;
  let pe = 0;
  for (let j = 0; j < t.k; j++) {
    const p = t.share[j]! / t.units1;
    pe += p * p;
  }
  if (t.usedCategories < 2 || !(pe < 1)) {
    return undefinedResult(
      'all ratings fall in a single category: chance agreement is 1, so kappa is 0/0 (undefined)',
      t.units2,
      t.coders,
      pa,
      1,
    );
  }
  return { value: (pa - pe) / (1 - pe), units: t.units2, coders: t.coders, observed: pa, expected: pe };
}
