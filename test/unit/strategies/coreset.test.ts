import { describe, expect, it } from 'vitest';
import { coreset } from '../../../src/modules/strategies/index.js';
import { createRng } from '../../../src/core/random.js';
import { emb, ints, randomEmb } from './helpers.js';

/** Brute-force greedy k-center from labelled rows (ties → lower row). */
function reference(x: number[][], labelled: number[], k: number): number[] {
  const d = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, j) => s + (v - b[j]!) ** 2, 0));
  const covered = [...labelled], picks: number[] = [];
  while (picks.length < k) {
    let best = -1, bestD = -1;
    x.forEach((p, i) => {
      if (covered.includes(i)) return;
      const m = Math.min(...covered.map((c) => d(p, x[c]!)));
      if (m > bestD) [best, bestD] = [i, m];
    });
    picks.push(best);
    covered.push(best);
  }
  return picks;
}

describe('coreset (greedy k-center)', () => {
  it('worked example: farthest from the labelled set first', () => {
    const s = coreset(emb([[0], [1], [5], [10]]), 2, createRng(1), { labelled: Int32Array.from([0]) });
    expect(ints(s.index)).toEqual([3, 2]);
    expect(ints(s.score)).toEqual([10, 5]);
  });

  it('matches a brute-force greedy k-center on random points', () => {
    const e = randomEmb(200, 5, createRng(8));
    const x = Array.from({ length: 200 }, (_, i) => ints(e.data.subarray(i * 5, i * 5 + 5)));
    const s = coreset(e, 15, createRng(0), { labelled: Int32Array.from([3, 50, 120]) });
    expect(ints(s.index)).toEqual(reference(x, [3, 50, 120], 15));
  });

  it('without labelled rows starts from a seeded point; scores are finite and non-increasing', () => {
    const e = randomEmb(300, 4, createRng(9));
    const a = coreset(e, 20, createRng(5)), b = coreset(e, 20, createRng(5)), c = coreset(e, 20, createRng(6));
    expect(ints(a.index)).toEqual(ints(b.index));
    expect(ints(a.index)).not.toEqual(ints(c.index));
    expect(a.score[0]).toBe(a.score[1]);
    for (let r = 1; r < 20; r++) expect(a.score[r]).toBeLessThanOrEqual(a.score[r - 1]!);
    expect(Array.from(a.score).every(Number.isFinite)).toBe(true);
  });

  it('duplicates and all-equal points fall back to the lowest rows', () => {
    const s = coreset(emb([[1], [1], [1], [1]]), 3, createRng(1), { labelled: Int32Array.from([2]) });
    expect(ints(s.index)).toEqual([0, 1, 3]);
    expect(ints(s.score)).toEqual([0, 0, 0]);
  });

  it('under a tiny work cap it still returns k distinct candidates, reproducibly', () => {
    const e = randomEmb(2000, 8, createRng(10));
    const opts = { labelled: Int32Array.from({ length: 50 }, (_, i) => i * 40), maxWork: 200_000 };
    const a = coreset(e, 10, createRng(3), opts);
    expect(new Set(a.index).size).toBe(10);
    expect(ints(a.index).every((i) => i % 40 !== 0)).toBe(true);
    expect(ints(coreset(e, 10, createRng(3), opts).index)).toEqual(ints(a.index));
  });

  it('gathering scattered candidates into a working copy changes nothing', () => {
    const e = randomEmb(1000, 6, createRng(12));
    const candidates = Int32Array.from({ length: 100 }, (_, i) => i * 10 + 3); // 10 % of rows: gathered
    const labelled = Int32Array.from([0, 500, 999]);
    const sub = (rows: Int32Array) => ({ rows: rows.length, dim: 6, data: Float32Array.from(ints(rows).flatMap((r) => ints(e.data.subarray(r * 6, r * 6 + 6)))) });
    const all = Int32Array.from([...candidates, ...labelled]);
    const direct = coreset(sub(all), 12, createRng(1), { labelled: Int32Array.from([100, 101, 102]) });
    const gathered = coreset(e, 12, createRng(1), { candidates, labelled });
    expect(ints(gathered.index)).toEqual(ints(direct.index).map((t) => all[t]!));
    expect(ints(gathered.score)).toEqual(ints(direct.score));
  });
});
