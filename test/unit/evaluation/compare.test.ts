/**
 * McNemar's exact test (against exact big-integer binomial sums and the normal
 * approximation) and the paired bootstrap (determinism, pairing, percentile
 * interval, agreement with the metric functions).
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/random.js';
import {
  accuracy,
  bootstrapInterval,
  macroF1,
  mcnemarExact,
  pairedBootstrap,
} from '../../../src/modules/evaluation/metrics/index.js';
import { fromPredictions } from './helpers.js';

/** correctA / correctB with b rows (A right, B wrong), c rows (A wrong, B right) and some concordant rows. */
function discordant(b: number, c: number, bothRight = 3, bothWrong = 2): [Uint8Array, Uint8Array] {
  const n = b + c + bothRight + bothWrong;
  const a = new Uint8Array(n);
  const bb = new Uint8Array(n);
  let i = 0;
  for (let r = 0; r < b; r++, i++) a[i] = 1;
  for (let r = 0; r < c; r++, i++) bb[i] = 1;
  for (let r = 0; r < bothRight; r++, i++) a[i] = bb[i] = 1;
  return [a, bb];
}

/** min(1, 2·P[X ≤ min(b, c)]), X ~ Bin(b + c, ½), by an exact big-integer sum. */
function exactSignTest(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const m = Math.min(b, c);
  let term = 1n;
  let sum = 1n;
  for (let i = 1; i <= m; i++) {
    term = (term * BigInt(n - i + 1)) / BigInt(i);
    sum += term;
  }
  const num = 2n * sum; // p = num / 2^n
  const bits = num.toString(2).length;
  const shift = Math.max(0, bits - 60);
  return Math.min(1, Number(num >> BigInt(shift)) * 2 ** (shift - n));
}

/** Two-sided normal p-value with continuity correction, erfc from Abramowitz & Stegun 7.1.26 (|ε| ≤ 1.5e-7). */
function normalApprox(b: number, c: number): number {
  const z = (Math.abs(b - c) - 1) / Math.sqrt(b + c);
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return poly * Math.exp(-x * x);
}

describe('mcnemarExact', () => {
  it('b = 10, c = 2 → 2 · 79/4096 = 0.038574…', () => {
    const r = mcnemarExact(...discordant(10, 2));
    expect(r).toMatchObject({ n: 17, b: 10, c: 2 });
    expect(r.pValue).toBeCloseTo(158 / 4096, 14);
    expect(mcnemarExact(...discordant(2, 10)).pValue).toBeCloseTo(158 / 4096, 14);
  });
  it('no discordant row → p = 1; b = c → p = 1; empty input → p = 1', () => {
    expect(mcnemarExact(...discordant(0, 0))).toEqual({ n: 5, b: 0, c: 0, pValue: 1 });
    expect(mcnemarExact(...discordant(7, 7)).pValue).toBe(1);
    expect(mcnemarExact(new Uint8Array(0), new Uint8Array(0))).toEqual({ n: 0, b: 0, c: 0, pValue: 1 });
    // b + c odd and |b − c| = 1: 2·P[X ≤ m] = 1 exactly
    expect(mcnemarExact(...discordant(5, 4)).pValue).toBeCloseTo(1, 14);
  });
  it('equals the direct binomial sum for every b, c ≤ 40', () => {
    for (let b = 0; b <= 40; b++) {
      for (let c = 0; c <= 40; c++) {
        const got = mcnemarExact(...discordant(b, c, 0, 0)).pValue;
        const want = exactSignTest(b, c);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * want);
      }
    }
  });
  it('b + c = 20,000: equals the exact sum and is close to the normal approximation', () => {
    for (const [b, c, python] of [
      [10150, 9850, 0.03449137260984106],
      [10100, 9900, 0.15938343598473378],
    ] as const) {
      const p = mcnemarExact(...discordant(b, c)).pValue;
      // exact rational arithmetic (Python fractions) and the in-test big-integer sum
      expect(Math.abs(p - python) / python).toBeLessThan(1e-10);
      expect(Math.abs(p - exactSignTest(b, c)) / p).toBeLessThan(1e-10);
      expect(Math.abs(p - normalApprox(b, c)) / p).toBeLessThan(1e-3);
    }
    const tiny = mcnemarExact(...discordant(10300, 9700)).pValue;
    expect(tiny).toBeCloseTo(2.2766981381795824e-5, 14);
  });
  it('works far into the tail without NaN (b = 1000, c = 0 → 2^-999; b = 20,000, c = 0 underflows to 0)', () => {
    const p = mcnemarExact(...discordant(1000, 0)).pValue;
    expect(Math.abs(p - 2 ** -999) / 2 ** -999).toBeLessThan(1e-12);
    expect(mcnemarExact(...discordant(20000, 0)).pValue).toBe(0);
  });
});

/** Random truth and two predictors of roughly the given accuracies (k classes). */
function scenario(n: number, k: number, accA: number, accB: number, seed: number) {
  const rng = createRng(seed);
  const truth = new Int32Array(n), predA = new Int32Array(n), predB = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = rng.int(k);
    truth[i] = t;
    predA[i] = rng.next() < accA ? t : (t + 1 + rng.int(k - 1)) % k;
    predB[i] = rng.next() < accB ? t : (t + 1 + rng.int(k - 1)) % k;
  }
  return { truth, predA, predB };
}

describe('pairedBootstrap', () => {
  const { truth, predA, predB } = scenario(300, 3, 0.7, 0.8, 5);

  it('difference is B − A on all rows; the 95% interval contains it', () => {
    const r = pairedBootstrap(truth, predA, predB, { seed: 42 });
    const a = accuracy(truth, fromPredictions(Array.from(predA), 3)).value!;
    const b = accuracy(truth, fromPredictions(Array.from(predB), 3)).value!;
    expect(r).toMatchObject({ metric: 'accuracy', resamples: 2000, seed: 42, level: 0.95, labels: 3 });
    expect(r.a).toBe(a);
    expect(r.b).toBe(b);
    expect(r.difference).toBeCloseTo(b - a, 15);
    const [lo, hi] = r.ci!;
    expect(lo).toBeLessThan(r.difference!);
    expect(hi).toBeGreaterThan(r.difference!);
  });
  it('is deterministic for a seed and changes with the seed; a default seed is returned and replays', () => {
    const opts = { seed: 9, resamples: 500 };
    expect(pairedBootstrap(truth, predA, predB, opts)).toEqual(pairedBootstrap(truth, predA, predB, opts));
    expect(pairedBootstrap(truth, predA, predB, { ...opts, seed: 10 }).ci).not.toEqual(
      pairedBootstrap(truth, predA, predB, opts).ci,
    );
    const free = pairedBootstrap(truth, predA, predB, { resamples: 200 });
    expect(Number.isInteger(free.seed)).toBe(true);
    expect(pairedBootstrap(truth, predA, predB, { resamples: 200, seed: free.seed })).toEqual(free);
  });
  it('resamples rows with replacement, the same rows for both versions (replayed by hand)', () => {
    const t = Int32Array.of(0, 1, 1, 0, 1), pa = Int32Array.of(0, 0, 1, 1, 1), pb = Int32Array.of(0, 1, 1, 0, 0);
    const R = 40;
    const rng = createRng(3);
    const diffs: number[] = [];
    for (let r = 0; r < R; r++) {
      let s = 0;
      for (let i = 0; i < 5; i++) {
        const j = rng.int(5); // one draw per row, used for A and for B
        s += (pb[j] === t[j] ? 1 : 0) - (pa[j] === t[j] ? 1 : 0);
      }
      diffs.push(s / 5);
    }
    diffs.sort((x, y) => x - y);
    const q = (p: number) => {
      const h = (R - 1) * p, lo = Math.floor(h);
      return diffs[lo]! + (h - lo) * (diffs[lo + 1]! - diffs[lo]!);
    };
    const r = pairedBootstrap(t, pa, pb, { seed: 3, resamples: R });
    expect(r.ci![0]).toBeCloseTo(q(0.025), 15);
    expect(r.ci![1]).toBeCloseTo(q(0.975), 15);
  });
  it('identical versions → difference 0 and interval [0, 0]', () => {
    const r = pairedBootstrap(truth, predA, predA, { seed: 1, resamples: 300 });
    expect(r.difference).toBe(0);
    expect(r.ci).toEqual([0, 0]);
  });
  it('macro-F1: the full-sample values equal macroF1() over all k labels, and the interval contains the difference', () => {
    const k = 4; // label 3 is never used: counts as F1 = 0 in both versions
    const r = pairedBootstrap(truth, predA, predB, { seed: 2, metric: 'macroF1', labels: k, resamples: 1000 });
    const fa = macroF1(truth, fromPredictions(Array.from(predA), k)).value!;
    const fb = macroF1(truth, fromPredictions(Array.from(predB), k)).value!;
    expect(r.a).toBeCloseTo(fa, 14);
    expect(r.b).toBeCloseTo(fb, 14);
    expect(r.difference).toBeCloseTo(fb - fa, 14);
    expect(r.ci![0]).toBeLessThan(r.difference!);
    expect(r.ci![1]).toBeGreaterThan(r.difference!);
    // default labels = 1 + largest index seen = 3 here
    const r3 = pairedBootstrap(truth, predA, predB, { seed: 2, metric: 'macroF1', resamples: 10 });
    expect(r3.labels).toBe(3);
    expect(r3.a).toBeCloseTo((fa * 4) / 3, 14);
  });
  it('a narrower level gives a narrower interval', () => {
    const w95 = pairedBootstrap(truth, predA, predB, { seed: 4, resamples: 1000 }).ci!;
    const w80 = pairedBootstrap(truth, predA, predB, { seed: 4, resamples: 1000, level: 0.8 }).ci!;
    expect(w80[1] - w80[0]).toBeLessThan(w95[1] - w95[0]);
  });
  it('zero rows → null difference and interval with a reason', () => {
    const e = new Int32Array(0);
    const r = pairedBootstrap(e, e, e, { seed: 1 });
    expect(r).toMatchObject({ a: null, b: null, difference: null, ci: null, seed: 1 });
    expect(r.reason).toMatch(/no rows/);
  });
});

describe('bootstrapInterval (one version)', () => {
  const { truth, predA } = scenario(300, 3, 0.7, 0.8, 5);

  it('doc-comment examples (pinned: the seeded generator is platform-independent)', () => {
    expect(bootstrapInterval(Int32Array.of(0, 1, 1, 0), Int32Array.of(0, 1, 1, 1), { seed: 7 })).toEqual({
      metric: 'accuracy', value: 0.75, ci: [0.25, 1], level: 0.95, resamples: 2000, seed: 7, labels: 2,
    });
    const r = pairedBootstrap(Int32Array.of(0, 1, 1, 0), Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 1, 1, 1), { seed: 7 });
    expect(r).toMatchObject({ a: 0.5, b: 0.75, difference: 0.25, ci: [0, 0.75] });
  });
  it('value is the metric on all rows and the interval contains it', () => {
    const acc = bootstrapInterval(truth, predA, { seed: 8, resamples: 1000 });
    expect(acc.value).toBe(accuracy(truth, fromPredictions(Array.from(predA), 3)).value);
    expect(acc.ci![0]).toBeLessThan(acc.value!);
    expect(acc.ci![1]).toBeGreaterThan(acc.value!);
    const f1 = bootstrapInterval(truth, predA, { seed: 8, resamples: 1000, metric: 'macroF1', labels: 3 });
    expect(f1.value).toBeCloseTo(macroF1(truth, fromPredictions(Array.from(predA), 3)).value!, 14);
    expect(f1.ci![0]).toBeLessThan(f1.value!);
    expect(f1.ci![1]).toBeGreaterThan(f1.value!);
  });
  it('uses the same resamples as pairedBootstrap with the same seed', () => {
    // A always wrong → every resampled difference is B's resampled accuracy.
    const wrong = Int32Array.from(truth, (t) => (t + 1) % 3);
    const paired = pairedBootstrap(truth, wrong, predA, { seed: 12, resamples: 500 });
    const single = bootstrapInterval(truth, predA, { seed: 12, resamples: 500 });
    expect(paired.ci![0]).toBeCloseTo(single.ci![0], 14);
    expect(paired.ci![1]).toBeCloseTo(single.ci![1], 14);
  });
  it('zero rows → null value and interval with a reason', () => {
    const r = bootstrapInterval(new Int32Array(0), new Int32Array(0), { seed: 1 });
    expect(r).toMatchObject({ value: null, ci: null });
    expect(r.reason).toMatch(/no rows/);
  });
});
