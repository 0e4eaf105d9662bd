import { voteCounts, validateObservations, type Observations } from './types.js';

export interface MajorityResult {
  /** Winning class per item; -1 when the top classes tie or the item has no vote. */
  label: Int32Array;
  /** Share of the votes the winner got (the item's agreement score); 0 without votes. */
  share: Float64Array;
  votes: Int32Array;
}

/**
 * Plurality vote per item. A tie between the top classes leaves the item
 * unresolved (-1): it goes to review rather than being decided by label order.
 *
 * Example: votes [a, a, b] → a with share 2/3; votes [a, b] → unresolved, share 1/2.
 */
export function majorityVote(o: Observations): MajorityResult {
  validateObservations(o);
  const k = o.nClasses;
  const counts = voteCounts(o);
  const label = new Int32Array(o.nItems).fill(-1);
  const share = new Float64Array(o.nItems);
  const votes = new Int32Array(o.nItems);
  for (let i = 0; i < o.nItems; i++) {
    let best = -1, bestCount = 0, total = 0, tie = false;
    for (let c = 0; c < k; c++) {
      const v = counts[i * k + c]!;
      total += v;
      if (v > bestCount) {
        best = c;
        bestCount = v;
        tie = false;
      } else if (v === bestCount && v > 0) tie = true;
    }
    votes[i] = total;
    share[i] = total > 0 ? bestCount / total : 0;
    label[i] = total > 0 && !tie ? best : -1;
  }
  return { label, share, votes };
}
