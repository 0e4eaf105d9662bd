import { describe, expect, it } from 'vitest';
import { rankedBatch } from '../../../src/modules/strategies/index.js';
import { createRng } from '../../../src/core/random.js';
import { emb, ints, randomEmb } from './helpers.js';

/** modAL's loop, O(k · n · |labelled ∪ picked|): recompute everything every step. */
function reference(x: number[][], u: number[], labelled: number[], k: number): number[] {
  const d = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, j) => s + (v - b[j]!) ** 2, 0));
  const train = [...labelled], picks: number[] = [];
  const pool = x.map((_, i) => i).filter((i) => !labelled.includes(i));
  while (picks.length < k) {
    const rest = pool.filter((i) => !picks.includes(i));
    const alpha = rest.length / (rest.length + train.length);
    let best = -1, bestS = -Infinity;
    for (const i of rest) {
      const sim = 1 / (1 + Math.min(...train.map((t) => d(x[i]!, x[t]!))));
      const s = alpha * (1 - sim) + (1 - alpha) * u[i]!;
      if (s > bestS) [best, bestS] = [i, s];
    }
    picks.push(best);
    train.push(best);
  }
  return picks;
}

describe('ranked-batch', () => {
  it('worked example', () => {
    const s = rankedBatch(emb([[0], [1], [4], [5]]), Float64Array.from([0, 0.9, 0.2, 0.5]), 3, createRng(1), {
      labelled: Int32Array.from([0]),
    });
    expect(ints(s.index)).toEqual([3, 1, 2]);
    [0.75, 0.7, 0.275].forEach((w, r) => expect(s.score[r]).toBeCloseTo(w, 12));
  });

  it('matches the modAL loop recomputed from scratch', () => {
    const rng = createRng(12);
    const e = randomEmb(150, 3, rng);
    const u = Float64Array.from({ length: 150 }, () => rng.next());
    const x = Array.from({ length: 150 }, (_, i) => ints(e.data.subarray(i * 3, i * 3 + 3)));
    const labelled = [5, 17, 99];
    const s = rankedBatch(e, u, 12, createRng(0), { labelled: Int32Array.from(labelled) });
    expect(ints(s.index)).toEqual(reference(x, ints(u), labelled, 12));
  });

  it('cold start (no labelled rows) begins at the candidate nearest the mean, with score 1', () => {
    const s = rankedBatch(emb([[0], [4], [5], [10]]), Float64Array.from([0.9, 0, 0, 0.9]), 2, createRng(1));
    expect(s.index[0]).toBe(2); // mean 4.75
    expect(s.score[0]).toBe(1);
  });

  it('is deterministic and ignores the seed under the work cap', () => {
    const e = randomEmb(200, 4, createRng(3));
    const u = new Float64Array(200).fill(0.5);
    expect(ints(rankedBatch(e, u, 10, createRng(1)).index)).toEqual(ints(rankedBatch(e, u, 10, createRng(2)).index));
  });
});
