/**
 * Scott's pi for two raters.
 */
import { pairTally, SINGLE_CATEGORY_PAIR, undefinedResult } from './tally.js';
import type { AgreementResult, TwoRaterInput } from './types.js';

/**
 * Scott's pi (Scott 1955, "Reliability of content analysis: the case of
 * nominal scale coding", Public Opinion Quarterly 19(3)):
 *
 *     π = (p_o − p_e) / (1 − p_e),   p_e = Σ_k ((r_k + c_k) / 2N)²
 *
 * i.e. chance agreement from the pooled distribution of both coders. Input:
 * a 2-column matrix (units with a missing rating are dropped) or a
 * contingency table; exactly 2 coders. `observed` = p_o, `expected` = p_e.
 * Undefined (`value: null`) when no unit is rated by both coders or when both
 * used one single (same) category for everything. (For > 2 coders use
 * {@link fleissKappa}, its generalization.)
 *
 * @example
 * scottPi({ categories: ['yes', 'no'], table: [[20, 5], [10, 15]] })
 * // p_o = 0.7, pooled shares (0.55, 0.45), p_e = 0.505 → π = 13/33 ≈ 0.3939
 */
export function scottPi(input: TwoRaterInput): AgreementResult {
  const t = pairTally(input);
  const { n, k, rows, cols } = t;
  if (n === 0) return undefinedResult('no unit is rated by both coders', 0, t.coders);
  if (t.usedCategories < 2) return undefinedResult(SINGLE_CATEGORY_PAIR, n, t.coders, 1, 1);
  const po = t.agree / n;
  let pe = 0;
  for (let j = 0; j < k; j++) {
    const p = (rows[j]! + cols[j]!) / (2 * n);
    pe += p * p;
  }
  return { value: (po - pe) / (1 - pe), units: n, coders: t.coders, observed: po, expected: pe };
}
