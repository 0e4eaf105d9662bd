/**
 * Prediction agreement / Cohen's kappa between two versions and the
 * stabilizing-predictions stopping rule.
 */
import { describe, expect, it } from 'vitest';
import { predictionAgreement, stabilizingPredictions } from '../../../src/modules/evaluation/metrics/index.js';
import { i32 } from './helpers.js';

describe('predictionAgreement', () => {
  it('sklearn cohen_kappa_score docs example → agreement 0.8, κ = 0.6875', () => {
    // negative = 0, neutral = 1, positive = 2
    const r = predictionAgreement(i32([0, 2, 0, 1, 2]), i32([0, 2, 0, 1, 0]));
    expect(r.n).toBe(5);
    expect(r.agreement).toEqual({ value: 0.8 });
    expect(r.kappa.value).toBeCloseTo(0.6875, 14);
  });
  it('hand-computed: [0, 1, 1, 2, 1] vs [0, 1, 2, 2, 0] → p_o 0.6, p_e 0.28, κ = 4/9', () => {
    const r = predictionAgreement(i32([0, 1, 1, 2, 1]), i32([0, 1, 2, 2, 0]));
    expect(r.agreement.value).toBeCloseTo(0.6, 14);
    expect(r.kappa.value).toBeCloseTo(4 / 9, 14);
  });
  it('identical non-constant predictions → κ = 1; complete disagreement on two classes → κ = −1', () => {
    expect(predictionAgreement(i32([0, 1, 2, 1]), i32([0, 1, 2, 1])).kappa).toEqual({ value: 1 });
    expect(predictionAgreement(i32([0, 1, 0, 1]), i32([1, 0, 1, 0])).kappa.value).toBeCloseTo(-1, 14);
  });
  it('both versions predicting one same class everywhere → agreement 1, κ null with a reason', () => {
    const r = predictionAgreement(i32([2, 2, 2]), i32([2, 2, 2]));
    expect(r.agreement).toEqual({ value: 1 });
    expect(r.kappa.value).toBeNull();
    expect(r.kappa.reason).toMatch(/chance agreement is 1/);
  });
  it('sparse huge class indexes give the same kappa as small ones', () => {
    const big = 2_000_000_000;
    const r = predictionAgreement(i32([0, big, 0, 7, big]), i32([0, big, 0, 7, 0]));
    expect(r.kappa.value).toBeCloseTo(0.6875, 14);
  });
  it('zero rows → both null with a reason', () => {
    const r = predictionAgreement(new Int32Array(0), new Int32Array(0));
    expect(r.agreement.value).toBeNull();
    expect(r.kappa.value).toBeNull();
    expect(r.kappa.reason).toMatch(/no rows/);
  });
});

describe('stabilizingPredictions', () => {
  it('doc-comment example: mean of the last 3 kappas ≥ 0.99 first at index 4 → { stop: true, since: 4 }', () => {
    expect(stabilizingPredictions([0.8, 0.95, 0.995, 0.99, 0.992, 0.999])).toEqual({ stop: true, since: 4 });
  });
  it('fewer kappas than the window → no stop', () => {
    expect(stabilizingPredictions([])).toEqual({ stop: false });
    expect(stabilizingPredictions([1, 1])).toEqual({ stop: false });
    expect(stabilizingPredictions([1, 1, 1])).toEqual({ stop: true, since: 2 });
  });
  it('kappas exactly at the threshold count as stable (floating-point mean)', () => {
    expect(stabilizingPredictions([0.99, 0.99, 0.99])).toEqual({ stop: true, since: 2 });
  });
  it("rule 'each' requires every kappa of the window ≥ threshold", () => {
    const k = [0.9, 1, 1, 0.985, 1, 1];
    // means: idx2 .9667, idx3 .995 ✓, idx4 .995 ✓, idx5 .995 ✓
    expect(stabilizingPredictions(k)).toEqual({ stop: true, since: 3 });
    // each: every window ending at 3, 4, 5 contains .985 → never
    expect(stabilizingPredictions(k, { rule: 'each' })).toEqual({ stop: false });
    expect(stabilizingPredictions([...k, 1], { rule: 'each' })).toEqual({ stop: true, since: 6 });
  });
  it('reflects the latest window: a later unstable version turns the signal off, a new run restarts since', () => {
    expect(stabilizingPredictions([1, 1, 1, 0.5])).toEqual({ stop: false });
    expect(stabilizingPredictions([1, 1, 1, 0.5, 1, 1, 1])).toEqual({ stop: true, since: 6 });
  });
  it('threshold and window are options', () => {
    // window 2: means .93 (index 1), .965 (index 2)
    expect(stabilizingPredictions([0.9, 0.96, 0.97], { threshold: 0.95, window: 2 })).toEqual({ stop: true, since: 2 });
    expect(stabilizingPredictions([0.9, 0.96, 0.97], { threshold: 0.95, window: 3 })).toEqual({ stop: false });
  });
  it('a null kappa (undefined) never counts as stable', () => {
    expect(stabilizingPredictions([1, null, 1, 1])).toEqual({ stop: false });
    expect(stabilizingPredictions([null, 1, 1, 1])).toEqual({ stop: true, since: 3 });
  });
});
