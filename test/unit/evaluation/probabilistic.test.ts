/**
 * Log loss, Brier score, ECE and one-vs-rest AUROC against the scikit-learn
 * documentation examples, hand-computed values and a brute-force AUROC.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/random.js';
import {
  aurocOneVsRest,
  brierScore,
  expectedCalibrationError,
  logLoss,
  mannWhitneyAuc,
} from '../../../src/modules/evaluation/metrics/index.js';
import { i32, probs } from './helpers.js';

describe('log loss', () => {
  it('sklearn log_loss docs: ["spam","ham","ham","spam"], [[.1,.9],[.9,.1],[.8,.2],[.35,.65]] → 0.21616…', () => {
    // classes sorted: ham = 0, spam = 1
    const p = probs([[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]]);
    expect(logLoss(i32([1, 0, 0, 1]), p).value).toBeCloseTo(0.21616187468057912, 6);
  });
  it('multi-class by hand: −(ln .7 + ln .6)/2', () => {
    const p = probs([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]);
    expect(logLoss(i32([0, 2]), p).value).toBeCloseTo(-(Math.log(0.7) + Math.log(0.6)) / 2, 6);
  });
  it('clips to [1e-15, 1 − 1e-15]: a zero probability on the truth costs −ln 1e-15 = 34.5388', () => {
    const p = probs([[1, 0]]);
    expect(logLoss(i32([1]), p).value).toBeCloseTo(34.538776394910684, 10);
    const right = logLoss(i32([0]), p).value!;
    expect(right).toBeGreaterThan(0);
    expect(right).toBeCloseTo(1e-15, 14);
  });
  it('uses the true-class probability as given, without renormalising the row', () => {
    expect(logLoss(i32([0]), probs([[0.5, 0.2]])).value).toBeCloseTo(Math.LN2, 7);
  });
});

describe('Brier score (multi-class definition)', () => {
  it('binary case is 2 × sklearn brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]) = 2 × 0.0375', () => {
    const p = probs([[0.9, 0.1], [0.1, 0.9], [0.2, 0.8], [0.7, 0.3]]);
    const v = brierScore(i32([0, 1, 1, 0]), p).value!;
    expect(v).toBeCloseTo(0.075, 7);
    expect(v / 2).toBeCloseTo(0.0375, 7);
  });
  it('multi-class by hand: rows (.14, .26) → 0.2', () => {
    const p = probs([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]);
    expect(brierScore(i32([0, 2]), p).value).toBeCloseTo(0.2, 7);
  });
  it('ranges from 0 (certain and right) to 2 (certain and wrong)', () => {
    expect(brierScore(i32([0, 2]), probs([[1, 0, 0], [0, 0, 1]])).value).toBe(0);
    expect(brierScore(i32([0, 2]), probs([[0, 1, 0], [1, 0, 0]])).value).toBe(2);
  });
});

describe('expected calibration error', () => {
  it('doc-comment example with 4 bins → 0.475 and its reliability table', () => {
    const p = probs([
      [0.9, 0.05, 0.03, 0.02], // right, conf .9
      [0.05, 0.9, 0.03, 0.02], // wrong, conf .9
      [0.6, 0.2, 0.1, 0.1], // right, conf .6
      [0.3, 0.25, 0.25, 0.2], // right, conf .3
    ]);
    const r = expectedCalibrationError(i32([0, 0, 0, 0]), p, { bins: 4 });
    expect(r.value).toBeCloseTo(0.475, 6);
    expect(r.bins.map((b) => b.count)).toEqual([0, 1, 1, 2]);
    expect(r.bins[0]).toEqual({ lower: 0, upper: 0.25, count: 0, confidence: null, accuracy: null });
    expect(r.bins[1]).toMatchObject({ lower: 0.25, upper: 0.5, accuracy: 1 });
    expect(r.bins[1]!.confidence).toBeCloseTo(0.3, 6);
    expect(r.bins[3]).toMatchObject({ lower: 0.75, upper: 1, accuracy: 0.5 });
    expect(r.bins[3]!.confidence).toBeCloseTo(0.9, 6);
  });
  it('15 equal-width bins by default (Guo et al. 2017), by hand → 0.344', () => {
    const p = probs([
      [0.95, 0.05], // t0 right, conf .95 → bin 14
      [0.92, 0.08], // t1 wrong, conf .92 → bin 13
      [0.9, 0.1], // t0 right, conf .9  → bin 13
      [0.3, 0.7], // t1 right, conf .7  → bin 10
      [0.45, 0.55], // t0 wrong, conf .55 → bin 8
    ]);
    const r = expectedCalibrationError(i32([0, 1, 0, 1, 0]), p);
    // (1/5)·.05 + (2/5)·|.5 − .91| + (1/5)·.3 + (1/5)·.55
    expect(r.value).toBeCloseTo(0.01 + 0.164 + 0.06 + 0.11, 6);
    expect(r.bins).toHaveLength(15);
    const counts = r.bins.map((b) => b.count);
    expect(counts).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 1]);
    expect(r.bins[13]!.confidence).toBeCloseTo(0.91, 6);
    expect(r.bins[13]!.accuracy).toBe(0.5);
    expect(r.bins[8]!.accuracy).toBe(0);
    expect(r.bins[14]!.upper).toBe(1);
    expect(r.bins.every((b, i) => Math.abs(b.lower - i / 15) < 1e-15)).toBe(true);
  });
  it('bins are right-closed (b/M, (b+1)/M]; confidence 0 goes to the first bin', () => {
    // M = 4: conf .5 → (.25, .5]; .75 → (.5, .75]; 1 → (.75, 1]; 0 → [0, .25]
    const p = probs([[0.5, 0.5], [0.75, 0.25], [1, 0], [0, 0]]);
    const r = expectedCalibrationError(i32([0, 0, 0, 0]), p, { bins: 4 });
    expect(r.bins.map((b) => b.count)).toEqual([1, 1, 1, 1]);
    const r2 = expectedCalibrationError(i32([0]), probs([[0.5, 0.5]]), { bins: 2 });
    expect(r2.bins.map((b) => b.count)).toEqual([1, 0]);
  });
  it('a perfectly calibrated split has ECE 0', () => {
    // conf .75 in one bin, 3 of 4 right
    const p = probs([[0.75, 0.25], [0.75, 0.25], [0.75, 0.25], [0.75, 0.25]]);
    expect(expectedCalibrationError(i32([0, 0, 0, 1]), p).value).toBeCloseTo(0, 12);
  });
});

describe('one-vs-rest AUROC', () => {
  it('sklearn roc_auc_score docs: y [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8] → 0.75', () => {
    expect(mannWhitneyAuc(Float64Array.of(0.35, 0.8), Float64Array.of(0.1, 0.4))).toBe(0.75);
    const r = aurocOneVsRest(i32([0, 0, 1, 1]), probs([[0.9, 0.1], [0.6, 0.4], [0.65, 0.35], [0.2, 0.8]]));
    expect(r.perClass[1]).toEqual({ label: 1, value: 0.75, positives: 2, negatives: 2 });
    expect(r.perClass[0]!.value).toBe(0.75);
    expect(r.macro).toEqual({ value: 0.75, classes: 2 });
  });
  it('a tie between a positive and a negative counts ½', () => {
    expect(mannWhitneyAuc(Float64Array.of(0.5), Float64Array.of(0.5))).toBe(0.5);
    expect(mannWhitneyAuc(Float64Array.of(0.5, 0.5), Float64Array.of(0.5, 0.1))).toBe(0.75);
    expect(mannWhitneyAuc(Float64Array.of(), Float64Array.of(0.5))).toBeNull();
  });
  it('3 classes by hand: 1, 1, 0.875 → macro 0.9583…', () => {
    const p = probs([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3]]);
    const r = aurocOneVsRest(i32([0, 1, 2, 2]), p);
    expect(r.perClass.map((c) => c.value)).toEqual([1, 1, 0.875]);
    expect(r.macro.value).toBeCloseTo(2.875 / 3, 12);
    expect(r.macro.classes).toBe(3);
  });
  it('a class absent from the truth is null with a reason and left out of the macro average', () => {
    const p = probs([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.5, 0.4, 0.1]]);
    const r = aurocOneVsRest(i32([0, 1, 0]), p);
    expect(r.perClass[2]).toMatchObject({ label: 2, value: null, positives: 0, negatives: 3 });
    expect(r.perClass[2]!.reason).toMatch(/no positive rows/);
    expect(r.macro.classes).toBe(2);
    expect(r.macro.value).toBe(1);
  });
  it('matches a brute-force pair count on random tied scores', () => {
    const rng = createRng(11);
    const n = 300, k = 3;
    const truth = new Int32Array(n);
    const data = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      truth[i] = rng.int(k);
      for (let j = 0; j < k; j++) data[i * k + j] = rng.int(11) / 10; // many ties
    }
    const r = aurocOneVsRest(truth, { rows: n, labels: k, data });
    for (let j = 0; j < k; j++) {
      let s = 0, pairs = 0;
      for (let a = 0; a < n; a++) {
        if (truth[a] !== j) continue;
        for (let b = 0; b < n; b++) {
          if (truth[b] === j) continue;
          const x = data[a * k + j]!, y = data[b * k + j]!;
          s += x > y ? 1 : x === y ? 0.5 : 0;
          pairs++;
        }
      }
      expect(r.perClass[j]!.value).toBeCloseTo(s / pairs, 12);
    }
  });
});
