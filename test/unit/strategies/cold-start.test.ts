import { describe, expect, it } from 'vitest';
import { kmeansCentroids, randomSample, stratified } from '../../../src/modules/strategies/index.js';
import { createRng } from '../../../src/core/random.js';
import { emb, ints, randomEmb } from './helpers.js';

describe('random', () => {
  it('a seeded permutation of the candidates when k ≥ pool', () => {
    const a = randomSample(4, 4, createRng(1));
    expect(ints(a.index).sort()).toEqual([0, 1, 2, 3]);
    expect(ints(randomSample(4, 4, createRng(1)).index)).toEqual(ints(a.index));
    expect(ints(a.score)).toEqual([0, 0, 0, 0]);
  });
  it('roughly uniform over many seeds, and never a labelled row', () => {
    const counts = new Array<number>(10).fill(0);
    for (let s = 0; s < 2000; s++) for (const i of randomSample(10, 3, createRng(s), { labelled: Int32Array.from([4]) }).index) counts[i]!++;
    expect(counts[4]).toBe(0);
    for (const [i, c] of counts.entries()) if (i !== 4) expect(Math.abs(c - 6000 / 9)).toBeLessThan(90);
  });
});

describe('stratified', () => {
  it('worked example: one per group first', () => {
    const s = stratified(['a', 'a', 'b', 'a'], 2, createRng(3));
    expect(ints(s.index).includes(2)).toBe(true);
    expect(ints(s.index).filter((i) => [0, 1, 3].includes(i)).length).toBe(1);
  });
  it('round-robin: after r full rounds every group has min(r, size) picks; null/undefined share a group', () => {
    const groups = ['x', 'y', null, 'x', undefined, 'x', 'y', 'x', 1, '1'];
    const s = stratified(groups, 7, createRng(8));
    const byGroup = (idx: number[]) =>
      idx.reduce<Record<string, number>>((m, i) => ((m[String(groups[i] ?? 'missing') + typeof groups[i]] = (m[String(groups[i] ?? 'missing') + typeof groups[i]] ?? 0) + 1), m), {});
    expect(Object.keys(byGroup(ints(s.index).slice(0, 5))).length).toBe(5); // x, y, missing, 1, '1'
    expect(new Set(s.index).size).toBe(7);
    expect(ints(stratified(groups, 10, createRng(8)).index).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('kmeans-centroids', () => {
  it('worked example: the item nearest each centroid, largest cluster first, ties → lower row', () => {
    for (const seed of [1, 2, 3, 4]) {
      const s = kmeansCentroids(emb([[0], [1], [2], [10], [12]]), 2, createRng(seed));
      expect(ints(s.index)).toEqual([1, 3]);
      expect(ints(s.score)).toEqual([3, 2]);
    }
  });
  it('k distinct, cluster sizes sum to the pool, seeded', () => {
    const e = randomEmb(400, 3, createRng(7));
    const a = kmeansCentroids(e, 12, createRng(2));
    expect(new Set(a.index).size).toBe(12);
    expect(ints(a.score).reduce((x, y) => x + y, 0)).toBe(400);
    expect(ints(kmeansCentroids(e, 12, createRng(2)).index)).toEqual(ints(a.index));
  });
});
