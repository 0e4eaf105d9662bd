/**
 * Multi-label metrics against the scikit-learn documentation examples and
 * hand-computed values.
 */
import { describe, expect, it } from 'vitest';
import {
  evaluateMultiLabel,
  hammingLoss,
  multiLabelMacroF1,
  multiLabelMicroF1,
  multiLabelPerLabel,
  subsetAccuracy,
} from '../../../src/modules/evaluation/metrics/index.js';
import { probs, u8 } from './helpers.js';

/** Probabilities that threshold to the given 0/1 matrix (0.9 / 0.1). */
const fromIndicator = (rows: number[][]) => probs(rows.map((r) => r.map((v) => (v ? 0.9 : 0.1))));

describe('sklearn documentation examples', () => {
  it('hamming_loss(np.array([[0, 1], [1, 1]]), np.zeros((2, 2))) = 0.75', () => {
    expect(hammingLoss(u8([0, 1, 1, 1]), probs([[0, 0], [0, 0]])).value).toBe(0.75);
  });
  it('accuracy_score(np.array([[0, 1], [1, 1]]), np.ones((2, 2))) = 0.5 (subset accuracy)', () => {
    expect(subsetAccuracy(u8([0, 1, 1, 1]), probs([[1, 1], [1, 1]])).value).toBe(0.5);
  });
  it('f1_score(y_true=[[0,0,0],[1,1,1],[0,1,1]], y_pred=[[0,0,0],[1,1,1],[1,1,0]], average=None) = [2/3, 1, 2/3]', () => {
    const truth = u8([0, 0, 0, 1, 1, 1, 0, 1, 1]);
    const p = fromIndicator([[0, 0, 0], [1, 1, 1], [1, 1, 0]]);
    const f1 = multiLabelPerLabel(truth, p).map((c) => c.f1);
    expect(f1[0]).toBeCloseTo(2 / 3, 12);
    expect(f1[1]).toBe(1);
    expect(f1[2]).toBeCloseTo(2 / 3, 12);
    // macro = mean = 7/9; micro: TP 4, FP 1, FN 1 → 8/10
    expect(multiLabelMacroF1(truth, p).value).toBeCloseTo(7 / 9, 12);
    expect(multiLabelMicroF1(truth, p).value).toBeCloseTo(0.8, 12);
  });
});

describe('hand-computed (doc-comment example)', () => {
  // truth [[1, 0], [1, 1]], probabilities [[.9, .2], [.4, .7]] → Ŷ [[1, 0], [0, 1]]
  const truth = u8([1, 0, 1, 1]);
  const p = probs([[0.9, 0.2], [0.4, 0.7]]);
  it('micro-F1 4/5, macro-F1 5/6, Hamming 1/4, subset accuracy 1/2', () => {
    expect(multiLabelMicroF1(truth, p).value).toBeCloseTo(0.8, 12);
    expect(multiLabelMacroF1(truth, p).value).toBeCloseTo(5 / 6, 12);
    expect(hammingLoss(truth, p).value).toBe(0.25);
    expect(subsetAccuracy(truth, p).value).toBe(0.5);
  });
  it('per-label table', () => {
    const [l0, l1] = multiLabelPerLabel(truth, p);
    expect(l0).toMatchObject({ label: 0, precision: 1, recall: 0.5, support: 2, predicted: 1 });
    expect(l0!.f1).toBeCloseTo(2 / 3, 12);
    expect(l1).toEqual({ label: 1, precision: 1, recall: 1, f1: 1, support: 1, predicted: 1 });
  });
  it('evaluateMultiLabel bundles the same numbers', () => {
    const e = evaluateMultiLabel(truth, p);
    expect(e).toMatchObject({ task: 'multi-label', rows: 2, labels: 2, threshold: 0.5 });
    expect(e.microF1.value).toBeCloseTo(0.8, 12);
    expect(e.macroF1.value).toBeCloseTo(5 / 6, 12);
    expect(e.hammingLoss.value).toBe(0.25);
    expect(e.subsetAccuracy.value).toBe(0.5);
    expect(e.perLabel).toEqual(multiLabelPerLabel(truth, p));
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });
});

describe('threshold', () => {
  it('predicts a label when p > threshold (0.5 exactly is "no")', () => {
    const truth = u8([1, 0]);
    expect(subsetAccuracy(truth, probs([[0.5, 0.5]])).value).toBe(0);
    expect(subsetAccuracy(truth, probs([[0.51, 0.5]])).value).toBe(1);
    expect(subsetAccuracy(truth, probs([[0.35, 0.2]]), { threshold: 0.3 }).value).toBe(1);
  });
  it('nothing positive anywhere: F1 is 0 (zero_division=0), Hamming 0, subset accuracy 1', () => {
    const truth = u8([0, 0, 0, 0]);
    const p = probs([[0.1, 0.2], [0.3, 0.4]]);
    expect(multiLabelMicroF1(truth, p).value).toBe(0);
    expect(multiLabelMacroF1(truth, p).value).toBe(0);
    expect(hammingLoss(truth, p).value).toBe(0);
    expect(subsetAccuracy(truth, p).value).toBe(1);
  });
});
