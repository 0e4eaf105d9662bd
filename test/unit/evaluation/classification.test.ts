/**
 * Single-label classification metrics against the scikit-learn documentation
 * examples and hand-computed values.
 */
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  confusionMatrix,
  macroF1,
  perClassMetrics,
  predictedClasses,
  weightedF1,
} from '../../../src/modules/evaluation/metrics/index.js';
import { fromPredictions, i32, probs } from './helpers.js';

describe('predictedClasses', () => {
  it('is the arg-max with ties to the lowest index (doc example)', () => {
    const p = probs([[0.2, 0.5, 0.3], [0.4, 0.4, 0.2], [1 / 3, 1 / 3, 1 / 3], [0, 0, 1]]);
    expect(Array.from(predictedClasses(p))).toEqual([1, 0, 0, 2]);
  });
});

describe('accuracy', () => {
  it('sklearn accuracy_score docs: y_true [0, 1, 2, 3], y_pred [0, 2, 1, 3] → 0.5', () => {
    expect(accuracy(i32([0, 1, 2, 3]), fromPredictions([0, 2, 1, 3], 4)).value).toBe(0.5);
  });
  it('doc-comment example → 2/3', () => {
    const p = probs([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]);
    expect(accuracy(i32([0, 1, 1]), p)).toEqual({ value: 2 / 3 });
  });
  it('1 − accuracy is sklearn hamming_loss([1, 2, 3, 4], [2, 2, 3, 4]) = 0.25', () => {
    expect(1 - accuracy(i32([1, 2, 3, 4]), fromPredictions([2, 2, 3, 4], 5)).value!).toBe(0.25);
  });
  it('a tie is predicted as the lowest index', () => {
    expect(accuracy(i32([0, 1]), probs([[0.5, 0.5], [0.5, 0.5]])).value).toBe(0.5);
  });
});

describe('confusion matrix', () => {
  it('sklearn confusion_matrix docs: y_true [2, 0, 2, 2, 0, 1], y_pred [0, 0, 2, 2, 0, 2]', () => {
    const cm = confusionMatrix(i32([2, 0, 2, 2, 0, 1]), fromPredictions([0, 0, 2, 2, 0, 2], 3));
    expect(cm).toEqual({ labels: 3, counts: [[2, 0, 0], [0, 0, 1], [1, 0, 2]] });
  });
  it('keeps all k labels, rows = truth, columns = predicted', () => {
    const cm = confusionMatrix(i32([0, 0, 1]), fromPredictions([1, 0, 1], 4));
    expect(cm.counts).toEqual([
      [1, 1, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });
});

describe('precision / recall / F1 (sklearn f1_score and precision_recall_fscore_support docs)', () => {
  // y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 2, 1, 0, 0, 1]
  // (the prfs docs use the same pattern as cat / dog / pig)
  const truth = i32([0, 1, 2, 0, 1, 2]);
  const p = fromPredictions([0, 2, 1, 0, 0, 1], 3);

  it("average=None: F1 [0.8, 0, 0]; precision [2/3, 0, 0]; recall [1, 0, 0]", () => {
    const pc = perClassMetrics(truth, p);
    expect(pc.map((c) => c.f1)).toEqual([expect.closeTo(0.8, 12), 0, 0]);
    expect(pc.map((c) => c.precision)).toEqual([2 / 3, 0, 0]);
    expect(pc.map((c) => c.recall)).toEqual([1, 0, 0]);
    expect(pc.map((c) => c.support)).toEqual([2, 2, 2]);
    expect(pc.map((c) => c.predicted)).toEqual([3, 2, 1]);
    expect(pc.map((c) => c.label)).toEqual([0, 1, 2]);
  });
  it("average='macro' → 0.26666… (macro precision 0.2222…, macro recall 0.3333… from prfs docs)", () => {
    expect(macroF1(truth, p).value).toBeCloseTo(0.26666666666666666, 12);
    const pc = perClassMetrics(truth, p);
    expect(pc.reduce((s, c) => s + c.precision, 0) / 3).toBeCloseTo(0.2222222222222222, 12);
    expect(pc.reduce((s, c) => s + c.recall, 0) / 3).toBeCloseTo(1 / 3, 12);
  });
  it("average='micro' → 0.3333… (= accuracy for single-label data)", () => {
    expect(accuracy(truth, p).value).toBeCloseTo(0.3333333333333333, 12);
  });
  it("average='weighted' → 0.26666…", () => {
    expect(weightedF1(truth, p).value).toBeCloseTo(0.26666666666666666, 12);
  });
});

describe('zero-division and the all-k-labels macro average', () => {
  it('a never-predicted class has precision 0; a class absent from truth has recall 0', () => {
    // truth [0, 0, 1], pred [0, 0, 0]: class 1 never predicted; class 2 neither true nor predicted
    const pc = perClassMetrics(i32([0, 0, 1]), fromPredictions([0, 0, 0], 3));
    expect(pc[0]).toMatchObject({ precision: 2 / 3, recall: 1, support: 2, predicted: 3 });
    expect(pc[0]!.f1).toBeCloseTo(0.8, 12);
    expect(pc[1]).toEqual({ label: 1, precision: 0, recall: 0, f1: 0, support: 1, predicted: 0 });
    expect(pc[2]).toEqual({ label: 2, precision: 0, recall: 0, f1: 0, support: 0, predicted: 0 });
  });
  it("macro-F1 averages over all k labels (sklearn labels=range(k)), not only the labels present", () => {
    // Perfect on classes 0 and 1; class 2 of the model never appears.
    // sklearn f1_score(average='macro') without labels= would say 1.0; with labels=[0, 1, 2] it says 2/3.
    const truth = i32([0, 0, 1, 1]);
    const p = fromPredictions([0, 0, 1, 1], 3);
    expect(macroF1(truth, p).value).toBeCloseTo(2 / 3, 12);
    expect(weightedF1(truth, p).value).toBe(1);
    expect(accuracy(truth, p).value).toBe(1);
  });
  it('weighted-F1 by hand on an unbalanced example', () => {
    // truth [0, 0, 0, 1], pred [0, 0, 1, 1]: F1_0 = 2·2/(3+2) = 0.8, F1_1 = 2·1/(1+2) = 2/3
    // weighted = (3·0.8 + 1·2/3)/4 = 0.76666…; macro = (0.8 + 2/3)/2 = 0.73333…
    const truth = i32([0, 0, 0, 1]);
    const p = fromPredictions([0, 0, 1, 1], 2);
    expect(weightedF1(truth, p).value).toBeCloseTo(0.7666666666666667, 12);
    expect(macroF1(truth, p).value).toBeCloseTo(0.7333333333333333, 12);
  });
});
