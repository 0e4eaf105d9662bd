/**
 * One-vs-rest AUROC per class (Mann–Whitney) and its macro average.
 */
import type { Probabilities } from '../../../core/labels.js';
import { checkSingleLabel, undefinedMetric } from './input.js';
import type { AurocResult, ClassAuroc } from './types.js';

/**
 * Area under the ROC curve of `pos` (scores of the positives) against `neg`
 * (scores of the negatives), as the Mann–Whitney U statistic
 * (Hanley & McNeil 1982, Radiology 143(1)):
 *
 *     AUC = (1 / (n₊ n₋)) Σ_{a ∈ pos} Σ_{b ∈ neg} ([a > b] + ½ [a = b])
 *
 * Ties between a positive and a negative count ½ (the trapezoid under the
 * ROC curve, as scikit-learn `roc_auc_score`). Sorts both arrays in place;
 * O((n₊ + n₋) log n). Returns null when either set is empty.
 *
 * @example
 * // sklearn docs: roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
 * // pairs (pos, neg): .35>.1, .35<.4, .8>.1, .8>.4 → 3/4 = 0.75
 */
export function mannWhitneyAuc(pos: Float32Array | Float64Array, neg: Float32Array | Float64Array): number | null {
  const np = pos.length;
  const nn = neg.length;
  if (np === 0 || nn === 0) return null;
  pos.sort();
  neg.sort();
  let below = 0; // negatives strictly below the current positive
  let upTo = 0; // negatives ≤ the current positive
  let s = 0;
  for (let i = 0; i < np; i++) {
    const a = pos[i]!;
    while (below < nn && neg[below]! < a) below++;
    if (upTo < below) upTo = below;
    while (upTo < nn && neg[upTo]! <= a) upTo++;
    s += below + 0.5 * (upTo - below);
  }
  return s / np / nn;
}

/**
 * One-vs-rest AUROC for every class j: the rows of class j (positives)
 * against all other rows (negatives), scored by the column p_·j, with ties
 * counted ½ ({@link mannWhitneyAuc}) — scikit-learn `roc_auc_score(y == j,
 * P[:, j])`.
 *
 * A class without both positives and negatives in the truth has `value:
 * null` with a reason. `macro` is the unweighted mean over the classes whose
 * AUROC is defined (`classes` = how many); it is `null` with a reason when
 * none is (e.g. every row has the same true class, or zero rows). Note that
 * scikit-learn's `roc_auc_score(multi_class='ovr', average='macro')` instead
 * refuses input where a class is missing from y; here that class is skipped
 * and reported. With k = 2 both columns give the binary AUROC when rows sum
 * exactly to 1, so the macro value equals scikit-learn's binary
 * `roc_auc_score(y, P[:, 1])`.
 *
 * @example
 * // truth [0, 0, 1, 1], rows [.9 .1], [.6 .4], [.65 .35], [.2 .8]
 * // class 1: 0.75 (the sklearn docs example); class 0: scores .9, .6 vs .65, .2 → 3/4
 * // macro = 0.75 over 2 classes
 */
export function aurocOneVsRest(truth: Int32Array, p: Probabilities): AurocResult {
  const { n, k } = checkSingleLabel(truth, p);
  return aurocOf(truth, p, n, k);
}

/** AUROC per class and macro, from validated input. */
export function aurocOf(truth: Int32Array, p: Probabilities, n: number, k: number): AurocResult {
  const positives = new Int32Array(k);
  for (let i = 0; i < n; i++) positives[truth[i]!]!++;
  const perClass: ClassAuroc[] = [];
  let sum = 0;
  let defined = 0;
  for (let j = 0; j < k; j++) {
    const np = positives[j]!;
    const nn = n - np;
    if (np === 0 || nn === 0) {
      const reason =
        np === 0
          ? `class ${j} has no positive rows (it never occurs in the truth), so its one-vs-rest AUROC is undefined`
          : `class ${j} has no negative rows (every row is of this class), so its one-vs-rest AUROC is undefined`;
      perClass.push({ label: j, value: null, reason, positives: np, negatives: nn });
      continue;
    }
    const pos = new Float32Array(np);
    const neg = new Float32Array(nn);
    for (let i = 0, a = 0, b = 0; i < n; i++) {
      const s = p.data[i * k + j]!;
      if (truth[i] === j) pos[a++] = s;
      else neg[b++] = s;
    }
    const auc = mannWhitneyAuc(pos, neg)!;
    sum += auc;
    defined++;
    perClass.push({ label: j, value: auc, positives: np, negatives: nn });
  }
  const macro =
    defined === 0
      ? {
          ...undefinedMetric(
            n === 0
              ? 'no rows to evaluate, so no class has both positive and negative rows'
              : 'no class has both positive and negative rows (the truth holds a single class), so no one-vs-rest AUROC is defined',
          ),
          classes: 0,
        }
      : { value: sum / defined, classes: defined };
  return { macro, perClass };
}
