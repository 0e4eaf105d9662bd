/**
 * Percent (observed) agreement for any number of coders.
 */
import { multiTally, undefinedResult } from './tally.js';
import type { AgreementResult, MultiRaterInput } from './types.js';

/**
 * Percent agreement p_a: the mean, over units with m_u ≥ 2 ratings, of the
 * share of agreeing rater pairs on the unit,
 *
 *     p_a = (1/n₂) Σ_{u: m_u ≥ 2} Σ_k n_uk (n_uk − 1) / (m_u (m_u − 1))
 *
 * (Fleiss 1971, P̄; Gwet 2014, *Handbook of Inter-Rater Reliability*, 4th
 * ed., §2.5, p_a). For two coders this is the share of co-rated units on
 * which they agree. Units with fewer than 2 ratings are ignored.
 *
 * Undefined (`value: null`) when no unit has 2 or more ratings.
 *
 * @example
 * percentAgreement({ categories: ['a', 'b'],
 *   units: [['a', 'a'], ['a', 'b'], ['b', 'b'], ['a', null]] })
 * // → value 2/3 (3 co-rated units, 2 agreements), units 3, coders 2
 */
export function percentAgreement(input: MultiRaterInput): AgreementResult {
  const t = multiTally(input);
  if (t.units2 === 0) {
    return undefinedResult('no unit has 2 or more ratings, so agreement is undefined', 0, t.coders);
  }
  const pa = t.agreeSum / t.units2;
  return { value: pa, units: t.units2, coders: t.coders, observed: pa, expected: null };
}
