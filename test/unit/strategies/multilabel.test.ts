import { describe, expect, it } from 'vitest';
import {
  labelCardinalityInconsistency,
  maxBinaryEntropy,
  meanBinaryEntropy,
} from '../../../src/modules/strategies/index.js';
import { probs } from './helpers.js';

// The worked example in multilabel.ts (c̄ = 1.5).
const p = probs([
  [0.9, 0.5, 0.1],
  [0.99, 0.01, 0.02],
  [0.6, 0.7, 0.4],
]);

describe('multi-label measures (worked example)', () => {
  it('mean per-label binary entropy', () => {
    const h = meanBinaryEntropy(p);
    [0.447771, 0.070014, 0.652296].forEach((w, i) => expect(h[i]).toBeCloseTo(w, 6));
  });
  it('max per-label binary entropy', () => {
    const h = maxBinaryEntropy(p);
    [Math.LN2, 0.098039, 0.673012].forEach((w, i) => expect(h[i]).toBeCloseTo(w, 6));
  });
  it('label-cardinality inconsistency |Σ p − c̄|', () => {
    const c = labelCardinalityInconsistency(p, 1.5);
    [0, 0.48, 0.2].forEach((w, i) => expect(c[i]).toBeCloseTo(w, 6));
  });
});

describe('multi-label measures (validation)', () => {
  it('accepts rows not summing to 1 and the extremes 0 and 1', () => {
    const q = probs([[1, 1, 0], [0, 0, 0]]);
    expect(Array.from(meanBinaryEntropy(q))).toEqual([0, 0]);
    expect(Array.from(labelCardinalityInconsistency(q, 1))).toEqual([1, 1]);
  });
  it('rejects values above 1, NaN and a cardinality outside [0, labels]', () => {
    expect(() => meanBinaryEntropy(probs([[0.2, 1.2]]))).toThrow('probabilities row 0, column 1 is 1.2, above 1');
    expect(() => maxBinaryEntropy(probs([[NaN, 0.2]]))).toThrow('probabilities row 0, column 0 is NaN');
    expect(() => labelCardinalityInconsistency(p, 4)).toThrow(/labelCardinality must be a number in \[0, 3\]/);
  });
});
