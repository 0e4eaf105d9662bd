import { describe, expect, it } from 'vitest';
import { clusterMargin, margin, topK } from '../../../src/modules/strategies/index.js';
import { createRng } from '../../../src/core/random.js';
import { emb, ints, randomEmb, randomProbs } from './helpers.js';

describe('cluster-margin', () => {
  const x = emb([[0], [0.1], [5], [5.1]]);
  const u = Float64Array.from([0.9, 0.8, 0.7, 0.6]);

  it('worked example: one pick per cluster, ranked by uncertainty', () => {
    for (const seed of [1, 2, 3]) {
      const s = clusterMargin(x, u, 2, createRng(seed), { topM: 4 });
      expect(ints(s.index)).toEqual([0, 2]);
      expect(ints(s.score)).toEqual([0.9, 0.7]);
    }
    expect(ints(topK(u, 2).index)).toEqual([0, 1]);
  });

  it('k ≥ top-m returns the top-m by uncertainty; ties → lower row', () => {
    expect(ints(clusterMargin(x, new Float64Array(4), 9, createRng(1)).index)).toEqual([0, 1, 2, 3]);
  });

  it('picks only among the top-m, k distinct, scores non-increasing, seeded', () => {
    const p = randomProbs(1000, 4, createRng(4)), e = randomEmb(1000, 6, createRng(5));
    const unc = margin(p);
    const top = new Set(topK(unc, 100).index);
    const a = clusterMargin(e, unc, 10, createRng(7), { topM: 100 });
    expect(new Set(a.index).size).toBe(10);
    expect(ints(a.index).every((i) => top.has(i))).toBe(true);
    for (let r = 1; r < 10; r++) expect(a.score[r]).toBeLessThanOrEqual(a.score[r - 1]!);
    expect(ints(clusterMargin(e, unc, 10, createRng(7), { topM: 100 }).index)).toEqual(ints(a.index));
  });

  it('rejects uncertainty of the wrong length', () => {
    expect(() => clusterMargin(x, new Float64Array(3), 1, createRng(1))).toThrow('uncertainty has 3 values, but there are 4 rows');
  });
});
