import { describe, expect, it } from 'vitest';
import { badge, gradientEmbedding } from '../../../src/modules/strategies/index.js';
import { createRng } from '../../../src/core/random.js';
import { emb, ints, probs, randomEmb, randomProbs } from './helpers.js';

const sq = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);

describe('badge', () => {
  const p = probs([[0.9, 0.1], [0.6, 0.4], [0.5, 0.5]]);
  const x = emb([[1], [1], [2]]);

  it('worked example: largest gradient norm first, then D² sampling', () => {
    expect(ints(gradientEmbedding(p, x, 2)).map((v) => +v.toFixed(6))).toEqual([-1, 1]);
    let row0 = 0;
    for (let seed = 0; seed < 400; seed++) {
      const s = badge(p, x, 2, createRng(seed));
      expect(s.index[0]).toBe(2);
      expect(s.score[0]).toBeCloseTo(2, 6);
      expect(s.score[1]).toBeCloseTo(s.index[1] === 0 ? 1.62 : 0.72, 5);
      if (s.index[1] === 0) row0++;
    }
    expect(row0 / 400).toBeGreaterThan(0.6); // expected 1.62 / 2.34 ≈ 0.69
    expect(row0 / 400).toBeLessThan(0.78);
  });

  it('the distance trick equals ‖g_i − g_j‖² of the materialised gradient embeddings', () => {
    const q = randomProbs(60, 5, createRng(2)), e = randomEmb(60, 7, createRng(3));
    const s = badge(q, e, 2, createRng(4));
    const g = (r: number) => gradientEmbedding(q, e, r);
    const first = g(s.index[0]!);
    expect(s.score[0]).toBeCloseTo(first.reduce((a, v) => a + v * v, 0), 5);
    expect(s.score[1]).toBeCloseTo(sq(first, g(s.index[1]!)), 5);
    for (let r = 0; r < 60; r++) expect(first.reduce((a, v) => a + v * v, 0)).toBeGreaterThanOrEqual(g(r).reduce((a, v) => a + v * v, 0) - 1e-9);
  });

  it('k distinct candidates, seeded, labelled rows excluded', () => {
    const q = randomProbs(500, 3, createRng(5)), e = randomEmb(500, 4, createRng(6));
    const labelled = Int32Array.from({ length: 100 }, (_, i) => i);
    const a = badge(q, e, 25, createRng(1), { labelled });
    expect(new Set(a.index).size).toBe(25);
    expect(ints(a.index).every((i) => i >= 100)).toBe(true);
    expect(ints(badge(q, e, 25, createRng(1), { labelled }).index)).toEqual(ints(a.index));
  });

  it('confident, identical items: zero gradients fall back to the lowest rows', () => {
    const s = badge(probs([[1, 0], [1, 0], [1, 0]]), emb([[1], [1], [1]]), 3, createRng(1));
    expect(ints(s.index)).toEqual([0, 1, 2]);
  });
});
