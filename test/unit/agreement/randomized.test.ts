/**
 * Randomized cross-checks (seeded, deterministic):
 * - the Int32 fast path equals the string path exactly;
 * - the count form equals the matrix form;
 * - the fast count-based algorithms equal naive textbook implementations
 *   (explicit coincidence matrix with a pair loop per unit; explicit k × k
 *   Cohen table with a weight matrix).
 */
import { describe, expect, it } from 'vitest';
import {
  cohenKappa,
  countsFromMatrix,
  encodeRatings,
  fleissKappa,
  gwetAC1,
  krippendorffAlpha,
  percentAgreement,
  scottPi,
  type EncodedMatrix,
  type KrippendorffLevel,
  type RatingMatrix,
} from '../../../src/modules/agreement/metrics/index.js';
import { createRng } from '../../../src/core/random.js';

const seededUniform = (seed: number): (() => number) => {
  const rng = createRng(seed);
  return () => rng.next();
};

function randomMatrix(rand: () => number, coders?: number): RatingMatrix {
  const k = 1 + Math.floor(rand() * 6);
  const numeric = rand() < 0.5;
  const categories = Array.from({ length: k }, (_, i) => (numeric ? String(i * 3 + Math.floor(rand() * 3)) : `c${i}`));
  // make numeric names unique and increasing
  if (numeric) for (let i = 1; i < k; i++) if (Number(categories[i]) <= Number(categories[i - 1])) categories[i] = String(Number(categories[i - 1]) + 1);
  const nCoders = coders ?? 2 + Math.floor(rand() * 5);
  const nUnits = 1 + Math.floor(rand() * 40);
  const pMissing = rand() * 0.5;
  const skew = rand() < 0.3; // favour one category to exercise near-degenerate data
  const units = Array.from({ length: nUnits }, () =>
    Array.from({ length: nCoders }, () => {
      if (rand() < pMissing) return null;
      const j = skew && rand() < 0.8 ? 0 : Math.floor(rand() * k);
      return categories[j]!;
    }),
  );
  return { categories, units };
}

function values(m: EncodedMatrix): number[] {
  const allNum = m.categories.every((c) => Number.isFinite(Number(c)));
  return m.categories.map((c, i) => (allNum ? Number(c) : i));
}

/** Naive Krippendorff alpha from the README definition (explicit coincidence matrix). */
function naiveAlpha(m: EncodedMatrix, level: KrippendorffLevel): number | null {
  const k = m.categories.length;
  const v = values(m);
  const o = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let u = 0; u < m.nUnits; u++) {
    const vals: number[] = [];
    for (let c = 0; c < m.nCoders; c++) {
      const x = m.codes[u * m.nCoders + c]!;
      if (x >= 0) vals.push(x);
    }
    if (vals.length < 2) continue;
    for (let i = 0; i < vals.length; i++)
      for (let j = 0; j < vals.length; j++) if (i !== j) o[vals[i]!]![vals[j]!]! += 1 / (vals.length - 1);
  }
  const nc = o.map((row) => row.reduce((a, b) => a + b, 0));
  const n = nc.reduce((a, b) => a + b, 0);
  const d2 = (c: number, e: number): number => {
    if (level === 'nominal') return c === e ? 0 : 1;
    if (level === 'interval') return (v[c]! - v[e]!) ** 2;
    if (level === 'ratio') return v[c]! + v[e]! === 0 ? 0 : ((v[c]! - v[e]!) / (v[c]! + v[e]!)) ** 2;
    const lo = Math.min(c, e);
    const hi = Math.max(c, e);
    let s = 0;
    for (let g = lo; g <= hi; g++) s += nc[g]!;
    return (s - (nc[lo]! + nc[hi]!) / 2) ** 2;
  };
  let dO = 0;
  let dE = 0;
  for (let c = 0; c < k; c++)
    for (let e = 0; e < k; e++) {
      dO += o[c]![e]! * d2(c, e);
      dE += nc[c]! * nc[e]! * d2(c, e);
    }
  if (n === 0 || dE === 0) return null;
  return 1 - ((n - 1) * dO) / dE;
}

/** Naive multi-rater p_a, Fleiss' kappa and AC1 (Gwet 2014 generalization). */
function naiveMulti(m: EncodedMatrix): { pa: number | null; fleiss: number | null; ac1: number | null } {
  const k = m.categories.length;
  let paSum = 0;
  let n2 = 0;
  let n1 = 0;
  const p = new Array<number>(k).fill(0);
  for (let u = 0; u < m.nUnits; u++) {
    const cnt = new Array<number>(k).fill(0);
    let mu = 0;
    for (let c = 0; c < m.nCoders; c++) {
      const x = m.codes[u * m.nCoders + c]!;
      if (x >= 0) {
        cnt[x]!++;
        mu++;
      }
    }
    if (mu >= 1) {
      n1++;
      cnt.forEach((x, j) => (p[j]! += x / mu));
    }
    if (mu >= 2) {
      n2++;
      paSum += cnt.reduce((a, x) => a + x * (x - 1), 0) / (mu * (mu - 1));
    }
  }
  if (n2 === 0) return { pa: null, fleiss: null, ac1: null };
  const pa = paSum / n2;
  const pk = p.map((x) => x / n1);
  const peF = pk.reduce((a, x) => a + x * x, 0);
  const peG = k < 2 ? Number.NaN : pk.reduce((a, x) => a + x * (1 - x), 0) / (k - 1);
  const single = pk.filter((x) => x > 0).length < 2;
  return { pa, fleiss: single ? null : (pa - peF) / (1 - peF), ac1: k < 2 ? null : (pa - peG) / (1 - peG) };
}

/** Naive Cohen (explicit k × k table and weight matrix) and Scott. */
function naiveTwo(m: EncodedMatrix, w: 'none' | 'linear' | 'quadratic' | 'scott'): number | null {
  const k = m.categories.length;
  const t = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let n = 0;
  for (let u = 0; u < m.nUnits; u++) {
    const a = m.codes[2 * u]!;
    const b = m.codes[2 * u + 1]!;
    if (a >= 0 && b >= 0) {
      t[a]![b]!++;
      n++;
    }
  }
  if (n === 0) return null;
  const r = t.map((row) => row.reduce((x, y) => x + y, 0));
  const c = t[0]!.map((_, j) => t.reduce((x, row) => x + row[j]!, 0));
  const v = (i: number, j: number): number => (w === 'linear' ? Math.abs(i - j) : w === 'quadratic' ? (i - j) ** 2 : i === j ? 0 : 1);
  let num = 0;
  let den = 0;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      num += v(i, j) * t[i]![j]!;
      const e = w === 'scott' ? (((r[i]! + c[i]!) / 2) * (r[j]! + c[j]!)) / 2 / n : (r[i]! * c[j]!) / n;
      den += v(i, j) * e;
    }
  if (den === 0) return null;
  return 1 - num / den;
}

function near(actual: number | null, expected: number | null, label: string): void {
  if (expected === null) expect(actual, label).toBeNull();
  else {
    expect(actual, label).not.toBeNull();
    expect(Math.abs((actual as number) - expected), `${label}: ${actual} vs ${expected}`).toBeLessThan(1e-9);
  }
}

const LEVELS: readonly KrippendorffLevel[] = ['nominal', 'ordinal', 'interval', 'ratio'];

describe('randomized cross-checks', () => {
  it('multi-coder metrics: string path ≡ Int32 fast path ≡ counts, and = naive formulas', () => {
    const rand = seededUniform(20240611);
    for (let trial = 0; trial < 400; trial++) {
      const m = randomMatrix(rand);
      const enc = encodeRatings(m);
      const counts = countsFromMatrix(m);
      for (const level of LEVELS) {
        const s = krippendorffAlpha(m, { level });
        expect(krippendorffAlpha(enc, { level }), `trial ${trial} ${level}`).toEqual(s);
        near(krippendorffAlpha(counts, { level }).value, s.value, `trial ${trial} ${level} counts`);
        near(s.value, naiveAlpha(enc, level), `trial ${trial} ${level} naive`);
        expect(Number.isNaN(s.value)).toBe(false);
      }
      const naive = naiveMulti(enc);
      for (const [f, ref] of [
        [fleissKappa, naive.fleiss],
        [gwetAC1, naive.ac1],
        [percentAgreement, naive.pa],
      ] as const) {
        const s = f(m);
        expect(f(enc), `trial ${trial} ${f.name}`).toEqual(s);
        near(f(counts).value, s.value, `trial ${trial} ${f.name} counts`);
        near(s.value, ref, `trial ${trial} ${f.name} naive`);
      }
    }
  });

  it('two-coder metrics: string path ≡ Int32 fast path, and = naive k × k tables', () => {
    const rand = seededUniform(7);
    for (let trial = 0; trial < 400; trial++) {
      const m = randomMatrix(rand, 2);
      const enc = encodeRatings(m);
      for (const weights of ['none', 'linear', 'quadratic'] as const) {
        const s = cohenKappa(m, { weights });
        expect(cohenKappa(enc, { weights }), `trial ${trial} ${weights}`).toEqual(s);
        near(s.value, naiveTwo(enc, weights), `trial ${trial} cohen ${weights}`);
      }
      const s = scottPi(m);
      expect(scottPi(enc)).toEqual(s);
      near(s.value, naiveTwo(enc, 'scott'), `trial ${trial} scott`);
    }
  });
});
