import { describe, expect, it } from 'vitest';
import { densityWeighted, meanCosineSimilarity } from '../../../src/modules/strategies/index.js';
import { createRng } from '../../../src/core/random.js';
import { emb, ints, randomEmb } from './helpers.js';

describe('density-weighted', () => {
  const x = emb([[1, 0], [1, 0], [0, 1]]);
  const u = Float64Array.from([0.5, 0.5, 0.9]);

  it('worked example: the outlier drops to last', () => {
    const all = Int32Array.from([0, 1, 2]);
    const dens = meanCosineSimilarity(x, all);
    [2 / 3, 2 / 3, 1 / 3].forEach((w, i) => expect(dens[i]).toBeCloseTo(w, 12));
    const s = densityWeighted(x, u, 3);
    expect(ints(s.index)).toEqual([0, 1, 2]);
    [1 / 3, 1 / 3, 0.3].forEach((w, r) => expect(s.score[r]).toBeCloseTo(w, 12));
  });

  it('β = 0 is plain uncertainty; β = 2 squares the density', () => {
    expect(ints(densityWeighted(x, u, 3, { beta: 0 }).index)).toEqual([2, 0, 1]);
    expect(densityWeighted(x, u, 3, { beta: 2 }).score[2]).toBeCloseTo(0.1, 12);
    expect(() => densityWeighted(x, u, 3, { beta: -1 })).toThrow(/beta must be a number/);
  });

  it('the linear-time mean cosine equals the pairwise mean', () => {
    const e = randomEmb(120, 6, createRng(4));
    const pool = Int32Array.from({ length: 80 }, (_, i) => i + 40);
    const fast = meanCosineSimilarity(e, pool);
    const row = (i: number) => e.data.subarray(i * 6, i * 6 + 6);
    const cos = (a: Float32Array, b: Float32Array) => {
      let ab = 0, aa = 0, bb = 0;
      for (let j = 0; j < 6; j++) [ab, aa, bb] = [ab + a[j]! * b[j]!, aa + a[j]! ** 2, bb + b[j]! ** 2];
      return ab / Math.sqrt(aa * bb);
    };
    for (let i = 0; i < 120; i++) {
      const ref = ints(pool).reduce((s, u2) => s + cos(row(i), row(u2)), 0) / pool.length;
      expect(fast[i]).toBeCloseTo(ref, 6);
    }
  });

  it('zero vectors have density 0, negative mean similarity is clamped', () => {
    const e = emb([[0, 0], [1, 0], [1, 0], [-1, 0]]); // μ = [0.25, 0]
    const s = densityWeighted(e, Float64Array.from([1, 1, 1, 1]), 4);
    expect(meanCosineSimilarity(e, Int32Array.from([0, 1, 2, 3]))[3]).toBeCloseTo(-0.25, 12);
    expect(ints(s.index)).toEqual([1, 2, 0, 3]);
    expect(ints(s.score)).toEqual([0.25, 0.25, 0, 0]);
  });
});
