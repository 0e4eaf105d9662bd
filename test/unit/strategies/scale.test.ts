/**
 * Large inputs, asserting correctness only (timings are not asserted). Set
 * STRATEGY_TIMINGS=1 to print wall times; STRATEGY_SCALE=1 adds the
 * 1,000,000 × 256 diversity runs (1 GiB of embeddings, tens of seconds).
 */
import { describe, expect, it } from 'vitest';
import {
  badge,
  clusterMargin,
  coreset,
  entropy,
  kmeansCentroids,
  leastConfidence,
  margin,
  topK,
  type Embeddings,
  type Probabilities,
} from '../../../src/modules/strategies/index.js';
import { createRng } from '../../../src/core/random.js';

const log = (what: string, ms: number) => {
  if (process.env.STRATEGY_TIMINGS) console.log(`${what}: ${ms.toFixed(1)} ms`);
};
function timed<T>(what: string, f: () => T): T {
  const t = performance.now();
  const out = f();
  log(what, performance.now() - t);
  return out;
}

/** Fast deterministic filler (xorshift32), so building 10⁷–10⁸ values stays cheap. */
function filler(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function bigProbs(rows: number, labels: number): Probabilities {
  const next = filler(1), data = new Float32Array(rows * labels);
  for (let r = 0, o = 0; r < rows; r++, o += labels) {
    let s = 0;
    for (let j = 0; j < labels; j++) s += data[o + j] = next() ** 3;
    for (let j = 0; j < labels; j++) data[o + j] = data[o + j]! / s;
  }
  return { rows, labels, data };
}

function bigEmb(rows: number, dim: number, centres = 50): Embeddings {
  const next = filler(2), data = new Float32Array(rows * dim), c = new Float32Array(centres * dim);
  for (let i = 0; i < c.length; i++) c[i] = (next() - 0.5) * 8;
  for (let r = 0; r < rows; r++) {
    const co = Math.floor(next() * centres) * dim;
    for (let j = 0; j < dim; j++) data[r * dim + j] = c[co + j]! + next() - 0.5;
  }
  return { rows, dim, data };
}

/** The selection is a valid top-k: k distinct rows, nothing outside beats the k-th. */
function expectTopK(scores: Float64Array, index: Int32Array, k: number) {
  expect(index.length).toBe(k);
  const inSel = new Uint8Array(scores.length);
  for (const i of index) inSel[i] = 1;
  expect(inSel.reduce((a, b) => a + b, 0)).toBe(k);
  const last = index[k - 1]!, kth = scores[last]!;
  for (let i = 0; i < scores.length; i++) {
    if (inSel[i]) continue;
    const s = scores[i]!;
    if (s > kth || (s === kth && i < last)) throw new Error(`row ${i} (${s}) should rank before row ${last} (${kth})`);
  }
}

describe('scale: 1,000,000 × 10 probabilities, top-1,000', () => {
  const p = bigProbs(1_000_000, 10);

  for (const [name, f] of [['least-confidence', leastConfidence], ['margin', margin], ['entropy', entropy]] as const) {
    it(`${name} + topK`, () => {
      for (let rep = 0; rep < 3; rep++) {
        const scores = timed(`${name} 1e6×10 (run ${rep + 1})`, () => f(p));
        const sel = timed(`topK 1,000 of 1e6 after ${name} (run ${rep + 1})`, () => topK(scores, 1000));
        expectTopK(scores, sel.index, 1000);
      }
    });
  }
});

describe.runIf(process.env.STRATEGY_SCALE)('scale: 1,000 of 1,000,000 × 256 embeddings', () => {
  const n = 1_000_000, k = 1000;
  const e = bigEmb(n, 256);
  const p = bigProbs(n, 10);
  const check = (idx: Int32Array) => {
    expect(idx.length).toBe(k);
    expect(new Set(idx).size).toBe(k);
  };
  it('coreset', () => check(timed('coreset 1,000 of 1e6×256', () => coreset(e, k, createRng(1))).index));
  it('badge', () => check(timed('badge 1,000 of 1e6×256 (10 labels)', () => badge(p, e, k, createRng(1))).index));
  it('cluster-margin', () => check(timed('cluster-margin 1,000 of 1e6×256', () => clusterMargin(e, margin(p), k, createRng(1))).index));
  it('kmeans-centroids', () => check(timed('kmeans-centroids 1,000 of 1e6×256', () => kmeansCentroids(e, k, createRng(1))).index));
});
