import { describe, expect, it } from 'vitest';
import { createRng, sampleIndexes, shuffleInPlace } from '../../src/core/random.js';

describe('seeded rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('is uniform enough: mean, variance and bucket counts of 100k draws', () => {
    const r = createRng(7);
    const n = 100_000;
    const buckets = new Array<number>(10).fill(0);
    let sum = 0, sq = 0;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      sum += x;
      sq += x * x;
      buckets[Math.floor(x * 10)]!++;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
    for (const b of buckets) expect(Math.abs(b - n / 10)).toBeLessThan(500);
  });

  it('normal draws have mean 0 and sd 1', () => {
    const r = createRng(3);
    const xs = Array.from({ length: 50_000 }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(sd - 1)).toBeLessThan(0.02);
  });

  it('samples distinct indexes, both for small and large k', () => {
    for (const [n, k] of [[1000, 10], [100, 90], [5, 10]] as const) {
      const s = sampleIndexes(n, k, createRng(1));
      expect(s.length).toBe(Math.min(n, k));
      expect(new Set(s).size).toBe(s.length);
      expect(Array.from(s).every((i) => i >= 0 && i < n)).toBe(true);
    }
    expect(Array.from(sampleIndexes(1000, 10, createRng(9)))).toEqual(Array.from(sampleIndexes(1000, 10, createRng(9))));
  });

  it('shuffles to a permutation', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    shuffleInPlace(a, createRng(5));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('rejects non-integer seeds', () => {
    expect(() => createRng(1.5)).toThrow(/integer/);
  });
});
