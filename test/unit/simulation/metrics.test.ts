import { describe, expect, it } from 'vitest';
import {
  accuracy,
  argmaxRows,
  aulc,
  curveBand,
  labelsToTarget,
  macroF1,
  meanSd,
  pairedInterval,
  tQuantile975,
} from '../../../src/modules/simulation/metrics.js';
import { formatInterval, formatLabels, summarize } from '../../../src/modules/simulation/summary.js';

const curve = (labels: number[], values: number[]) => labels.map((l, i) => ({ labels: l, value: values[i]! }));

describe('accuracy and macro-F1', () => {
  it('argmax per row, ties to the lower class', () => {
    expect([...argmaxRows({ rows: 3, labels: 3, data: Float32Array.from([0.2, 0.5, 0.3, 0.4, 0.4, 0.2, 0, 0, 1]) })]).toEqual([1, 0, 2]);
  });
  it('accuracy: share of hits', () => {
    expect(accuracy([0, 1, 2, 1], [0, 1, 1, 1])).toBe(0.75);
    expect(accuracy([], [])).toBe(0);
    expect(() => accuracy([1], [1, 2])).toThrow(RangeError);
  });
  it("macro-F1 = scikit-learn's f1_score(average='macro') documentation example: 0.2667", () => {
    // y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 2, 1, 0, 0, 1]: F1 = 0.8, 0, 0.
    expect(macroF1([0, 2, 1, 0, 0, 1], [0, 1, 2, 0, 1, 2], 3)).toBeCloseTo(0.8 / 3, 12);
  });
  it('macro-F1 by hand: F1 per class 2/3, 1/2, 0 → 7/18; classes in neither truth nor predictions are left out', () => {
    // class 0: TP 1, FP 0, FN 1; class 1: TP 1, FP 2, FN 0; class 2: TP 0, FP 0, FN 1.
    expect(macroF1([0, 1, 1, 1], [0, 0, 1, 2], 3)).toBeCloseTo(7 / 18, 12);
    expect(macroF1([0, 1, 1, 1], [0, 0, 1, 2], 5)).toBeCloseTo(7 / 18, 12);
    expect(macroF1([0, 1], [0, 1], 2)).toBe(1);
  });
});

describe('labels to target (first evaluation point ≥ target)', () => {
  const c = curve([20, 30, 40], [0.5, 0.8, 0.79]);
  it('the first point at or above the target, never interpolated', () => {
    expect(labelsToTarget(c, 0.8)).toBe(30);
    expect(labelsToTarget(c, 0.6)).toBe(30);
    expect(labelsToTarget(c, 0.5)).toBe(20);
  });
  it('null when no point reaches it (a later dip below does not matter)', () => {
    expect(labelsToTarget(c, 0.81)).toBeNull();
  });
});

describe('area under the learning curve, normalised', () => {
  it('trapezoids divided by the label range', () => {
    expect(aulc(curve([0, 10, 30], [0.5, 0.7, 0.9]))).toBeCloseTo(22 / 30, 12);
    expect(aulc(curve([20, 30, 40, 50], [0.6, 0.6, 0.6, 0.6]))).toBeCloseTo(0.6, 12);
    expect(aulc(curve([20], [0.4]))).toBe(0.4);
  });
  it('label counts must increase', () => {
    expect(() => aulc(curve([20, 20], [0.1, 0.2]))).toThrow(RangeError);
  });
});

describe('mean, sd and paired 95% intervals', () => {
  it('sample sd (n − 1)', () => {
    const s = meanSd([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(meanSd([7]).sd).toBe(0);
    expect(meanSd([]).n).toBe(0);
  });
  it("Student's t 0.975 quantiles: tables up to 30 df, Cornish–Fisher beyond", () => {
    expect(tQuantile975(1)).toBeCloseTo(12.7062, 4);
    expect(tQuantile975(4)).toBeCloseTo(2.7764, 4);
    expect(tQuantile975(30)).toBeCloseTo(2.0423, 4);
    expect(tQuantile975(40)).toBeCloseTo(2.0211, 4);
    expect(tQuantile975(60)).toBeCloseTo(2.0003, 4);
    expect(tQuantile975(120)).toBeCloseTo(1.9799, 4);
    expect(tQuantile975(1e6)).toBeCloseTo(1.96, 4);
    expect(() => tQuantile975(0)).toThrow(RangeError);
  });
  it('paired t interval by hand: d = [2, 3, 1] → 2 ± 4.302653/√3', () => {
    const p = pairedInterval([3, 5, 4], [1, 2, 3]);
    expect(p.n).toBe(3);
    expect(p.mean).toBe(2);
    expect(p.low).toBeCloseTo(2 - 4.302653 / Math.sqrt(3), 6);
    expect(p.high).toBeCloseTo(2 + 4.302653 / Math.sqrt(3), 6);
  });
  it('pairs with a missing side are left out; fewer than 2 pairs give no interval', () => {
    const p = pairedInterval([3, null, 4, 9], [1, 2, null, 8]);
    expect(p).toEqual({ mean: 2 - 0.5, low: expect.any(Number) as number, high: expect.any(Number) as number, n: 2 });
    expect(p.high! - p.mean).toBeCloseTo(12.706205 * (Math.SQRT2 / 2) / Math.SQRT2, 5); // sd of [2, 1] = √½
    expect(pairedInterval([1, null], [0, 0])).toEqual({ mean: 1, low: null, high: null, n: 1 });
  });
  it('curve band: mean ± sd per label count', () => {
    const b = curveBand([
      [{ labels: 10, accuracy: 0.5, macroF1: 0.4 }, { labels: 20, accuracy: 0.7, macroF1: 0.6 }],
      [{ labels: 10, accuracy: 0.7, macroF1: 0.6 }, { labels: 20, accuracy: 0.7, macroF1: 0.6 }],
    ]);
    expect(b[0]).toMatchObject({ labels: 10, mean: 0.6, n: 2 });
    expect(b[0]!.sd).toBeCloseTo(Math.SQRT2 * 0.1, 12);
    expect(b[1]).toMatchObject({ labels: 20, mean: 0.7, sd: 0 });
  });
});

describe('strategy summaries', () => {
  const pts = (acc: number[]) => acc.map((a, i) => ({ labels: 20 + 10 * i, accuracy: a, macroF1: a }));
  const runs = [
    { strategy: 'random', seed: 1, points: pts([0.5, 0.6, 0.7, 0.8]) },
    { strategy: 'random', seed: 2, points: pts([0.5, 0.55, 0.65, 0.75]) },
    { strategy: 'margin', seed: 1, points: pts([0.5, 0.8, 0.85, 0.9]) },
    { strategy: 'margin', seed: 2, points: pts([0.5, 0.7, 0.9, 0.9]) },
  ];
  const s = summarize(runs, ['random', 'margin'], [1, 2], new Map([[1, 0.9], [2, 0.9]]), 0.85);
  it('labels to 95/98/99% of each seed’s full-pool accuracy, and to an absolute accuracy', () => {
    const margin = s[1]!;
    // 0.98 × 0.9 = 0.882: seed 1 at 50 labels, seed 2 at 40.
    expect(margin.labelsTo.map((t) => t.perSeed)).toEqual([[50, 40], [50, 40], [50, 40]]); // 0.95 × 0.9 = 0.855 > 0.85
    expect(margin.labelsTo[1]).toMatchObject({ mean: 45, reached: 2, seeds: 2 });
    expect(margin.labelsToAccuracy?.perSeed).toEqual([40, 40]);
    expect(s[0]!.labelsTo[1]!.perSeed).toEqual([null, null]);
    expect(formatLabels(s[0]!.labelsTo[1]!, 50)).toBe('> 50');
    expect(formatLabels(margin.labelsTo[1]!, 50)).toBe('45 ± 7');
    expect(formatLabels({ target: 0.98, kind: 'relative', perSeed: [30, null, 50], mean: 40, sd: 14.142, reached: 2, seeds: 3 }, 50)).toBe('> 50 (2/3: 40 ± 14)');
  });
  it('AULC and the paired difference from random', () => {
    // random seed 1: (0.55 + 0.65 + 0.75) / 3 = 0.65; margin seed 1: (0.65 + 0.825 + 0.875) / 3.
    expect(s[0]!.aulc.perSeed[0]).toBeCloseTo(0.65, 12);
    expect(s[1]!.aulc.perSeed[0]).toBeCloseTo(2.35 / 3, 12);
    expect(s[0]!.vsRandom).toBeNull();
    const d = s[1]!.vsRandom!.aulc;
    expect(d.n).toBe(2);
    expect(d.mean).toBeCloseTo((2.35 / 3 - 0.65 + (0.6 + 0.8 + 0.9) / 3 - (0.525 + 0.6 + 0.7) / 3) / 2, 12);
    expect(s[1]!.vsRandom!.labelsTo98.n).toBe(0);
    expect(formatInterval(s[1]!.vsRandom!.labelsTo98, 0)).toBe('—');
    expect(formatInterval({ mean: 0.5, low: 0.25, high: 0.75, n: 3 }, 2)).toBe('+0.50 [+0.25, +0.75]');
  });
});
