import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dawidSkene, majorityVote, type Observations } from '../../../src/modules/agreement/consensus/index.js';
import { createRng } from '../../../src/core/random.js';

function obs(nItems: number, nAnnotators: number, nClasses: number, triples: [number, number, number][], gold?: number[]): Observations {
  return {
    nItems, nAnnotators, nClasses,
    item: Int32Array.from(triples.map((t) => t[0])),
    annotator: Int32Array.from(triples.map((t) => t[1])),
    label: Int32Array.from(triples.map((t) => t[2])),
    ...(gold ? { gold: Int32Array.from(gold) } : {}),
  };
}

describe('majority vote', () => {
  it('picks the plurality, leaves ties unresolved and reports the share', () => {
    const r = majorityVote(obs(4, 3, 3, [[0, 0, 0], [0, 1, 0], [0, 2, 1], [1, 0, 1], [1, 1, 2], [2, 0, 2]]));
    expect(Array.from(r.label)).toEqual([0, -1, 2, -1]);
    expect(Array.from(r.share)).toEqual([2 / 3, 0.5, 1, 0]);
    expect(Array.from(r.votes)).toEqual([3, 2, 1, 0]);
  });
});

/** Simulates annotators with known confusion (accuracy `acc`, errors uniform over the other classes). */
function simulate(nItems: number, accuracies: number[], k: number, seed: number) {
  const rng = createRng(seed);
  const truth = Int32Array.from({ length: nItems }, () => rng.int(k));
  const triples: [number, number, number][] = [];
  for (let i = 0; i < nItems; i++) {
    accuracies.forEach((acc, j) => {
      let l = truth[i]!;
      if (rng.next() >= acc) l = (l + 1 + rng.int(k - 1)) % k;
      triples.push([i, j, l]);
    });
  }
  return { truth, o: obs(nItems, accuracies.length, k, triples) };
}

const accuracyOf = (labels: Int32Array, truth: Int32Array) => labels.reduce((s, l, i) => s + (l === truth[i] ? 1 : 0), 0) / truth.length;

describe('Dawid–Skene', () => {
  it('recovers true labels better than a majority vote when annotators differ in skill, and estimates their accuracy', () => {
    const skills = [0.95, 0.9, 0.55, 0.45, 0.4];
    const { truth, o } = simulate(3000, skills, 3, 11);
    const ds = dawidSkene(o, { seed: 1 });
    const mv = majorityVote(o);
    const dsAcc = accuracyOf(ds.label, truth);
    const mvAcc = accuracyOf(mv.label, truth);
    expect(ds.converged).toBe(true);
    expect(dsAcc).toBeGreaterThan(mvAcc + 0.05);
    expect(dsAcc).toBeGreaterThan(0.95);
    skills.forEach((s, j) => expect(Math.abs(ds.accuracy[j]! - s)).toBeLessThan(0.03));
    for (let c = 0; c < 3; c++) expect(ds.prior[c]!).toBeCloseTo(1 / 3, 1);
  });

  it('learns that an annotator who is always wrong on two classes is informative', () => {
    const rng = createRng(5);
    const triples: [number, number, number][] = [];
    const truth = Int32Array.from({ length: 400 }, () => rng.int(2));
    for (let i = 0; i < 400; i++) {
      triples.push([i, 0, rng.next() < 0.7 ? truth[i]! : 1 - truth[i]!]);
      triples.push([i, 1, rng.next() < 0.7 ? truth[i]! : 1 - truth[i]!]);
      triples.push([i, 2, 1 - truth[i]!]);
    }
    const ds = dawidSkene(obs(400, 3, 2, triples));
    expect(ds.accuracy[2]!).toBeLessThan(0.05);
    expect(accuracyOf(ds.label, truth)).toBeGreaterThan(0.99);
  });

  it('gold items are clamped and calibrate the annotators', () => {
    const { truth, o } = simulate(200, [0.8, 0.75, 0.7], 2, 3);
    const gold = new Int32Array(200).fill(-1);
    for (let i = 0; i < 50; i++) gold[i] = truth[i]!;
    const ds = dawidSkene({ ...o, gold });
    for (let i = 0; i < 50; i++) {
      expect(ds.label[i]).toBe(truth[i]);
      expect(ds.confidence[i]).toBe(1);
    }
  });

  it('is deterministic and breaks exact ties with the seed', () => {
    const o = obs(2, 2, 2, [[0, 0, 0], [0, 1, 1], [1, 0, 0], [1, 1, 1]]);
    const a = dawidSkene(o, { seed: 1 });
    expect(Array.from(dawidSkene(o, { seed: 1 }).label)).toEqual(Array.from(a.label));
    expect(a.confidence[0]).toBeCloseTo(0.5, 6);
    const seen = new Set<number>();
    for (let s = 0; s < 20; s++) seen.add(dawidSkene(o, { seed: s }).label[0]!);
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it('rejects out-of-range observations', () => {
    expect(() => dawidSkene(obs(1, 1, 2, [[0, 0, 2]]))).toThrow(/label 2 out of range/);
    expect(() => majorityVote(obs(1, 1, 2, [[1, 0, 0]]))).toThrow(/item 1 out of range/);
  });
});

describe('Dawid & Skene (1979), Table 1: 45 patients, 5 anaesthetists', () => {
  const data = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/agreement/dawid-skene-1979.json'), 'utf8')) as { ratings: [number, number, number][] };
  const o = obs(45, 5, 4, data.ratings.map(([p, a, r]) => [p - 1, a - 1, r - 1]));

  it('has the 315 ratings of the paper', () => {
    expect(data.ratings).toHaveLength(315);
    expect(data.ratings.filter((r) => r[1] === 1)).toHaveLength(135);
  });

  it('EM never lowers the likelihood and converges to a fixed point', () => {
    let previous = -Infinity;
    for (let it = 1; it <= 30; it++) {
      const r = dawidSkene(o, { maxIterations: it, tolerance: 0, smoothing: 0 });
      expect(r.logLikelihood).toBeGreaterThanOrEqual(previous - 1e-9);
      previous = r.logLikelihood;
    }
    const full = dawidSkene(o, { smoothing: 0, maxIterations: 500, tolerance: 1e-12 });
    expect(full.converged).toBe(true);
    const more = dawidSkene(o, { smoothing: 0, maxIterations: full.iterations + 20, tolerance: 0 });
    expect(more.logLikelihood - full.logLikelihood).toBeLessThan(1e-6);
  });

  it('agrees with the unanimous patients and leaves most patients almost certain, as the paper reports', () => {
    const r = dawidSkene(o, { smoothing: 0, maxIterations: 500, tolerance: 1e-12 });
    const mv = majorityVote(o);
    const unanimous = [1, 11, 13, 17, 18, 21, 25, 26, 28, 29, 31, 33, 34, 40, 41, 45].map((p) => p - 1);
    for (const i of unanimous) {
      expect(r.label[i]).toBe(mv.label[i]);
      expect(r.confidence[i]!).toBeGreaterThan(0.999);
    }
    const certain = Array.from(r.confidence).filter((c) => c > 0.99).length;
    expect(certain).toBeGreaterThanOrEqual(40);
    expect(Array.from(r.prior).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // class 1 and 2 dominate the sample; class 4 (unfit for surgery) is rare
    expect(r.prior[0]! + r.prior[1]!).toBeGreaterThan(0.75);
    expect(r.prior[3]!).toBeLessThan(0.1);
  });
});
