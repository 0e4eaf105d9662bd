import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/random.js';
import { initBackend } from '../../../src/modules/models/tfjs/index.js';
import type { SparseRows } from '../../../src/modules/models/featurize/index.js';
import { SoftmaxModel } from '../../../src/modules/simulation/softmax.js';
import { bootstrap, mlpPatience, warmIterations } from '../../../src/modules/simulation/learner.js';

beforeAll(async () => {
  await initBackend();
});

function blobs(n: number, seed: number) {
  const rng = createRng(seed);
  const d = 3, k = 3;
  const data = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % k;
    for (let j = 0; j < d; j++) data[i * d + j] = rng.normal() + (j === y[i] ? 1.5 : 0);
  }
  return { x: { rows: n, cols: d, data }, y, k };
}

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('softmax by L-BFGS', () => {
  it("by hand: x = [−1, +1], y = [0, 1], C = 1 → W = [−w, w] with w = 2 / (1 + e^{2w}), b = 0", () => {
    // f(w) = log(1 + e^{−2w}) + λ·2w², λ = 1/(2·C·n) = 1/4 → f'(w) = −2/(1 + e^{2w}) + w = 0.
    let lo = 0, hi = 2;
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2;
      if (mid - 2 / (1 + Math.exp(2 * mid)) > 0) hi = mid;
      else lo = mid;
    }
    const m = new SoftmaxModel(2, { rows: 2, cols: 1, data: Float32Array.from([-1, 1]) });
    const { theta, report } = m.fit({ rows: 2, cols: 1, data: Float32Array.from([-1, 1]) }, all(2), Int32Array.from([0, 1]), { gtol: 1e-7 });
    expect(report.reason).toBe('gtol');
    expect(theta[0]).toBeCloseTo(-lo, 5);
    expect(theta[1]).toBeCloseTo(lo, 5);
    expect(theta[2]! - theta[3]!).toBeCloseTo(0, 5);
    // C = 4 regularises less (λ = 1/16): a larger w.
    const loose = m.fit({ rows: 2, cols: 1, data: Float32Array.from([-1, 1]) }, all(2), Int32Array.from([0, 1]), { C: 4, gtol: 1e-7 });
    expect(loose.theta[1]!).toBeGreaterThan(lo);
  });

  it('warm and cold fits reach the same optimum (biases up to a common shift: softmax ignores it, and they are not penalised)', () => {
    const { x, y, k } = blobs(300, 1);
    const m = new SoftmaxModel(k, x);
    const cold = m.fit(x, all(300), y, { gtol: 1e-6, maxIter: 500 });
    const rng = createRng(2);
    const start = Float64Array.from(cold.theta, (v) => v + 0.3 * rng.normal());
    const warm = m.fit(x, all(300), y, { gtol: 1e-6, maxIter: 500, start });
    const dk = m.d * k;
    for (let i = 0; i < dk; i++) expect(warm.theta[i]).toBeCloseTo(cold.theta[i]!, 3);
    const shift = warm.theta[dk]! - cold.theta[dk]!;
    for (let c = 1; c < k; c++) expect(warm.theta[dk + c]! - cold.theta[dk + c]!).toBeCloseTo(shift, 3);
    const p = m.predict(x, cold.theta);
    const q = m.predict(x, warm.theta);
    for (let i = 0; i < p.data.length; i++) expect(q.data[i]).toBeCloseTo(p.data[i]!, 4);
    expect(p).toMatchObject({ rows: 300, labels: 3 });
    for (let r = 0; r < 300; r++) expect(p.data[r * 3]! + p.data[r * 3 + 1]! + p.data[r * 3 + 2]!).toBeCloseTo(1, 5);
    m.dispose();
  });

  it('sparse rows (JS products) and dense rows (TF.js products) give the same fit', () => {
    const { x, y, k } = blobs(90, 3);
    const indptr = Int32Array.from({ length: 91 }, (_, i) => i * 3);
    const sparse: SparseRows = { rows: 90, dim: 3, indptr, indices: Int32Array.from({ length: 270 }, (_, i) => i % 3), values: x.data };
    const dense = new SoftmaxModel(k, x).fit(x, all(90), y, { gtol: 1e-6 });
    const sp = new SoftmaxModel(k, sparse).fit(sparse, all(90), y, { gtol: 1e-6 });
    for (let i = 0; i < dense.theta.length; i++) expect(sp.theta[i]).toBeCloseTo(dense.theta[i]!, 3);
  });

  it('sparse fits run over the columns the rows use; the other weights are exactly 0 (their optimum)', () => {
    const { x, y, k } = blobs(60, 5);
    const spread = [1, 4, 7];
    const wide: SparseRows = {
      rows: 60, dim: 10, indptr: Int32Array.from({ length: 61 }, (_, i) => i * 3),
      indices: Int32Array.from({ length: 180 }, (_, i) => spread[i % 3]!), values: x.data,
    };
    const rows = Int32Array.from({ length: 40 }, (_, i) => i);
    const yy = y.subarray(0, 40);
    const dense = new SoftmaxModel(k, x).fit(x, rows, yy, { gtol: 1e-6 });
    const m = new SoftmaxModel(k, wide);
    const sp = m.fit(wide, rows, yy, { gtol: 1e-6, start: new Float64Array(m.size).fill(0.5) });
    for (let j = 0; j < 10; j++) {
      for (let c = 0; c < k; c++) {
        const at = spread.indexOf(j);
        if (at < 0) expect(sp.theta[j * k + c]).toBe(0);
        else expect(sp.theta[j * k + c]).toBeCloseTo(dense.theta[at * k + c]!, 3);
      }
    }
    const p = m.predict(wide, sp.theta);
    const q = new SoftmaxModel(k, x).predict(x, dense.theta);
    for (let i = 0; i < p.data.length; i++) expect(p.data[i]).toBeCloseTo(q.data[i]!, 3);
  });

  it('a row weight of 2 equals the row listed twice (bootstrap members)', () => {
    const { x, y, k } = blobs(30, 4);
    const m = new SoftmaxModel(k, x);
    const weighted = m.fit(x, Int32Array.from([0, 1, 2, 3, 4, 5]), Int32Array.from([0, 1, 2, 0, 1, 2]).map((_, i) => y[i]!), {
      weights: Float64Array.from([2, 1, 1, 1, 1, 3]),
      gtol: 1e-7,
    });
    const rows = Int32Array.from([0, 0, 1, 2, 3, 4, 5, 5, 5]);
    const repeated = m.fit(x, rows, Int32Array.from(rows, (r) => y[r]!), { gtol: 1e-7 });
    for (let i = 0; i < m.size; i++) expect(weighted.theta[i]).toBeCloseTo(repeated.theta[i]!, 4);
    m.dispose();
  });
});

describe('warm fits and committees', () => {
  it('warm iteration cap: the small cap, raised in proportion to the growth of the labelled set', () => {
    expect(warmIterations(100, 20, 20, 120)).toBe(100); // 5× the labels: a full fit
    expect(warmIterations(100, 20, 200, 300)).toBe(50);
    expect(warmIterations(100, 20, 500, 600)).toBe(20);
    expect(warmIterations(100, 10, 2900, 3000)).toBe(10);
    expect(warmIterations(100, undefined, 500, 600)).toBe(100);
    expect(warmIterations(100, 10, 0, 20)).toBe(100); // the first fit
  });
  it('MLP patience: at least 5 epochs and 200 Adam steps', () => {
    expect(mlpPatience(20, 32)).toBe(200);
    expect(mlpPatience(600, 32)).toBe(11);
    expect(mlpPatience(2000, 32)).toBe(5);
  });
  it('bootstrap: n draws with replacement, counts sum to n, seeded', () => {
    const a = bootstrap(50, createRng(9));
    expect([...a.counts].reduce((s, c) => s + c, 0)).toBe(50);
    expect(a.at.length).toBeLessThan(50);
    expect(a.at.length).toBe(a.counts.length);
    expect([...bootstrap(50, createRng(9)).at]).toEqual([...a.at]);
  });
});
