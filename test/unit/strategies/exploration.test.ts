import { describe, expect, it } from 'vitest';
import { withExploration } from '../../../src/modules/strategies/index.js';
import { createRng } from '../../../src/core/random.js';
import { ints } from './helpers.js';

const sel = { index: Int32Array.from([7, 3, 9, 1]), score: Float64Array.from([0.9, 0.8, 0.7, 0.6]) };

describe('withExploration', () => {
  it('worked example: k = 4, fraction 0.25 → 3 strategy picks + 1 random', () => {
    const r = withExploration(sel, 10, 4, 0.25, createRng(1), { exclude: Int32Array.from([0, 2]) });
    expect(ints(r.index.subarray(0, 3))).toEqual([7, 3, 9]);
    expect(ints(r.score)).toEqual([0.9, 0.8, 0.7, 0]);
    expect(ints(r.explore)).toEqual([0, 0, 0, 1]);
    expect([1, 4, 5, 6, 8]).toContain(r.index[3]);
  });

  it('rounds ⌊fraction · k⌋ down, guarding binary rounding', () => {
    const big = { index: Int32Array.from({ length: 100 }, (_, i) => i), score: new Float64Array(100) };
    expect(ints(withExploration(big, 1000, 100, 0.29, createRng(1)).explore).filter(Boolean).length).toBe(29);
    expect(ints(withExploration(sel, 10, 4, 0.3, createRng(1)).explore).filter(Boolean).length).toBe(1);
    expect(ints(withExploration(sel, 10, 4, 0, createRng(1)).index)).toEqual([7, 3, 9, 1]);
  });

  it('fraction 1: all random, distinct, never excluded, uniform over seeds', () => {
    const counts = new Array<number>(10).fill(0);
    for (let s = 0; s < 3000; s++) {
      const r = withExploration(sel, 10, 4, 1, createRng(s), { exclude: Int32Array.from([5]) });
      expect(new Set(r.index).size).toBe(4);
      for (const i of r.index) counts[i]!++;
    }
    expect(counts[5]).toBe(0);
    for (const [i, c] of counts.entries()) if (i !== 5) expect(Math.abs(c - 12000 / 9)).toBeLessThan(120);
  });

  it('returns fewer when the pool runs out, and validates inputs', () => {
    expect(withExploration(sel, 10, 4, 0.5, createRng(1), { exclude: Int32Array.from([0, 2, 4, 5, 6, 8, 1, 9]) }).index.length).toBe(2);
    expect(() => withExploration(sel, 10, 4, 1.5, createRng(1))).toThrow(/fraction must be a number in \[0, 1\]/);
    expect(() => withExploration(sel, 5, 4, 0.5, createRng(1))).toThrow(/selected.index\[0\] = 7 is out of range/);
  });
});
