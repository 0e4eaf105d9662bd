import { describe, expect, it } from 'vitest';
import { rankPicks, topK } from '../../../src/modules/strategies/index.js';
import { ValidationError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/random.js';
import { ints } from './helpers.js';

/** Reference: full sort by (score desc, index asc). */
function reference(scores: Float64Array, k: number, candidates?: Int32Array): number[] {
  const idx = candidates ? ints(candidates) : scores.map((_, i) => i).reduce<number[]>((a, i) => (a.push(i), a), []);
  return idx.sort((a, b) => (scores[b]! === scores[a]! ? a - b : scores[b]! > scores[a]! ? 1 : -1)).slice(0, k);
}

describe('topK', () => {
  it('worked example: ties go to the lower index', () => {
    const s = topK(Float64Array.from([0.2, 0.9, 0.5, 0.9]), 3);
    expect(ints(s.index)).toEqual([1, 3, 2]);
    expect(ints(s.score)).toEqual([0.9, 0.9, 0.5]);
  });

  it('all-equal scores come back in ascending index order', () => {
    expect(ints(topK(new Float64Array(10), 4).index)).toEqual([0, 1, 2, 3]);
    expect(ints(topK(new Float64Array(10), 20).index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('k = 0, k ≥ n and an empty input', () => {
    expect(topK(Float64Array.from([1, 2]), 0).index.length).toBe(0);
    expect(ints(topK(Float64Array.from([1, 3, 2]), 99).index)).toEqual([1, 2, 0]);
    expect(topK(new Float64Array(0), 5).index.length).toBe(0);
  });

  it('restricts to candidates (ties by row index, not by position in the list)', () => {
    const s = Float64Array.from([5, 1, 1, 1, 7]);
    expect(ints(topK(s, 2, { candidates: Int32Array.from([3, 1, 2]) }).index)).toEqual([1, 2]);
    expect(ints(topK(s, 9, { candidates: Int32Array.from([4, 0]) }).index)).toEqual([4, 0]);
  });

  it('handles ±Infinity and −0 and rejects NaN, bad k and bad candidates', () => {
    expect(ints(topK(Float64Array.from([-Infinity, 0, Infinity, -0]), 4).index)).toEqual([2, 1, 3, 0]);
    expect(() => topK(Float64Array.from([1, NaN]), 1)).toThrow('scores[1] is NaN');
    expect(() => topK(Float64Array.from([1]), -1)).toThrow(ValidationError);
    expect(() => topK(Float64Array.from([1]), 1.5)).toThrow(/k must be a non-negative integer/);
    expect(() => topK(Float64Array.from([1, 2]), 1, { candidates: Int32Array.from([2]) })).toThrow(/candidates\[0\] = 2 is out of range/);
    expect(() => topK(Float64Array.from([1, 2]), 1, { candidates: Int32Array.from([1, 1]) })).toThrow(/duplicate/);
  });

  it('agrees with a full sort on random inputs with many ties', () => {
    const rng = createRng(3);
    for (const [n, k] of [[1, 1], [10, 3], [1000, 1], [1000, 10], [1000, 999], [5000, 250]] as const) {
      const s = new Float64Array(n);
      for (let i = 0; i < n; i++) s[i] = rng.int(20) / 4;
      expect(ints(topK(s, k).index)).toEqual(reference(s, k));
      const cand = Int32Array.from(reference(Float64Array.from({ length: n }, () => rng.next()), Math.ceil(n / 2)));
      expect(ints(topK(s, k, { candidates: cand }).index)).toEqual(reference(s, k, cand));
    }
  });

  it('adversarial orders (ascending scores) take the selection path and still agree with a full sort', () => {
    const n = 50_000;
    const asc = Float64Array.from({ length: n }, (_, i) => i);
    expect(ints(topK(asc, 1000).index)).toEqual(reference(asc, 1000));
    const steps = Float64Array.from({ length: n }, (_, i) => Math.floor(i / 7)); // ascending with ties
    expect(ints(topK(steps, 999).index)).toEqual(reference(steps, 999));
    const cand = Int32Array.from({ length: n / 2 }, (_, t) => n - 1 - 2 * t); // descending list of rows
    expect(ints(topK(steps, 500, { candidates: cand }).index)).toEqual(reference(steps, 500, cand));
    const inf = Float64Array.from({ length: n }, (_, i) => (i % 2 ? Infinity : i));
    expect(ints(topK(inf, 2000).index)).toEqual(reference(inf, 2000));
  });

  it('accepts Float32Array scores', () => {
    expect(ints(topK(Float32Array.from([0.1, 0.3, 0.2]), 2).index)).toEqual([1, 2]);
  });
});

describe('rankPicks', () => {
  it('sorts parallel picks by score, ties by lower row', () => {
    const r = rankPicks(Int32Array.from([9, 4, 7]), Float64Array.from([1, 2, 2]));
    expect(ints(r.index)).toEqual([4, 7, 9]);
    expect(ints(r.score)).toEqual([2, 2, 1]);
  });
});
