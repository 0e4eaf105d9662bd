import { describe, expect, it } from 'vitest';
import { entropy, leastConfidence, margin, topK } from '../../../src/modules/strategies/index.js';
import { bitsOf, lnBits } from '../../../src/modules/strategies/fastlog.js';
import { createRng } from '../../../src/core/random.js';
import { ints, probs, randomProbs } from './helpers.js';

// The worked example in uncertainty.ts.
const example = probs([
  [0.5, 0.3, 0.2],
  [0.9, 0.05, 0.05],
  [0.4, 0.4, 0.2],
]);

const close = (got: Float64Array, want: number[], digits = 6) =>
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));

describe('uncertainty measures (worked example)', () => {
  it('least confidence = 1 − max p', () => close(leastConfidence(example), [0.5, 0.1, 0.6]));
  it('margin = 1 − (p1 − p2)', () => close(margin(example), [0.8, 0.15, 1.0]));
  it('entropy in nats', () => close(entropy(example), [1.029653, 0.394398, 1.05492]));
  it('all three rank row 2, then 0, then 1', () => {
    for (const f of [leastConfidence, margin, entropy]) expect(ints(topK(f(example), 3).index)).toEqual([2, 0, 1]);
  });
});

describe('uncertainty measures (edge cases)', () => {
  it('a uniform row has maximal scores; a one-hot row scores 0', () => {
    const p = probs([
      [0.25, 0.25, 0.25, 0.25],
      [0, 0, 1, 0],
    ]);
    close(entropy(p), [Math.log(4), 0]);
    close(leastConfidence(p), [0.75, 0]);
    close(margin(p), [1, 0]);
  });

  it('a single-label model (labels = 1) scores 0 everywhere', () => {
    const p = probs([[1], [1]]);
    expect(ints(margin(p))).toEqual([0, 0]);
    expect(ints(leastConfidence(p))).toEqual([0, 0]);
    expect(ints(entropy(p))).toEqual([0, 0]);
  });

  it('empty input gives empty scores', () => {
    expect(entropy({ rows: 0, labels: 3, data: new Float32Array(0) }).length).toBe(0);
  });

  it('entropy matches a Math.log reference on random rows to 1e-7', () => {
    const p = randomProbs(2000, 7, createRng(11));
    const h = entropy(p);
    for (let r = 0; r < p.rows; r++) {
      let ref = 0;
      for (let j = 0; j < p.labels; j++) {
        const v = p.data[r * p.labels + j]!;
        if (v > 0) ref -= v * Math.log(v);
      }
      expect(Math.abs(h[r]! - ref)).toBeLessThan(1e-7);
    }
  });
});

describe('table log', () => {
  it('is within 1e-8 of Math.log across the float32 range, denormals included', () => {
    const xs = new Float32Array([1, 0.5, 0.1, 1e-3, 1e-10, 1e-30, 1e-40, 1e-45, 0.999999, 3.4e38, 1.0000001]);
    const rng = createRng(4);
    const all = new Float32Array(xs.length + 10000);
    all.set(xs);
    for (let i = xs.length; i < all.length; i++) all[i] = rng.next() ** 8 || 0.5;
    const bits = bitsOf(all);
    for (let i = 0; i < all.length; i++) expect(Math.abs(lnBits(all[i]!, bits[i]!) - Math.log(all[i]!))).toBeLessThan(1e-8);
  });
});
