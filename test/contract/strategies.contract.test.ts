/**
 * Every registry strategy passes the same contract: shapes, determinism with a
 * seed, whole pool for large k, empty pool, explicit tie-breaking, bad inputs.
 */
import { describe, expect, it } from 'vitest';
import {
  STRATEGIES,
  STRATEGY_IDS,
  type Embeddings,
  type Probabilities,
  type StrategyDefinition,
  type StrategyId,
  type StrategyInput,
} from '../../src/modules/strategies/index.js';
import { ValidationError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/random.js';
import { ints, randomEmb, randomProbs } from '../unit/strategies/helpers.js';

const LABELS = 3, DIM = 4;

/** Inputs for `def` over n rows; `equal` makes every row identical. */
function inputFor(def: StrategyDefinition, n: number, seed = 1, equal = false): StrategyInput {
  const rng = createRng(seed);
  const multi = def.kind === 'multi-label';
  const p = (): Probabilities => {
    if (equal) return { rows: n, labels: LABELS, data: new Float32Array(n * LABELS).fill(multi ? 0.5 : 1 / LABELS) };
    if (multi) return { rows: n, labels: LABELS, data: Float32Array.from({ length: n * LABELS }, () => rng.next()) };
    return randomProbs(n, LABELS, rng);
  };
  const input: StrategyInput = {};
  if (def.needs.probabilities) input.probabilities = p();
  if (def.needs.committee) input.committee = [p(), p(), p()];
  if (def.needs.embeddings) {
    input.embeddings = equal ? { rows: n, dim: DIM, data: new Float32Array(n * DIM).fill(1) } : randomEmb(n, DIM, rng);
  }
  if (def.needs.groups) input.groups = Array.from({ length: n }, (_, i) => (equal ? 'g' : `g${i % 3}`));
  if (def.needs.labelCardinality) input.labelCardinality = 1.2;
  if (Object.keys(input).length === 0 || !(def.needs.probabilities || def.needs.committee || def.needs.embeddings || def.needs.groups)) {
    input.rows = n;
  }
  return input;
}

const run = (def: StrategyDefinition, input: StrategyInput, k: number, seed = 7) => def.select(input, k, createRng(seed));

function expectValidShape(def: StrategyDefinition, index: Int32Array, score: Float64Array, k: number, allowed: Set<number>) {
  expect(index).toBeInstanceOf(Int32Array);
  expect(score).toBeInstanceOf(Float64Array);
  expect(index.length).toBe(Math.min(k, allowed.size));
  expect(score.length).toBe(index.length);
  expect(new Set(index).size).toBe(index.length);
  for (const i of index) expect(allowed.has(i)).toBe(true);
  for (const s of score) expect(Number.isFinite(s)).toBe(true);
  if (def.rankedBy === 'score') for (let r = 1; r < score.length; r++) expect(score[r]).toBeLessThanOrEqual(score[r - 1]!);
}

const range = (n: number) => new Set(Array.from({ length: n }, (_, i) => i));

/** Bad variants of an input for `def`, each with the error it must raise. */
function badInputs(def: StrategyDefinition): [string, StrategyInput, RegExp][] {
  const n = 12;
  const out: [string, StrategyInput, RegExp][] = [];
  const base = () => inputFor(def, n, 3);
  const poke = (p: Probabilities, at: number, v: number): Probabilities => {
    const data = p.data.slice();
    data[at] = v;
    return { ...p, data };
  };
  const pokeRow = (p: Probabilities, row: number, v: number): Probabilities => {
    const data = p.data.slice();
    data.fill(v, row * LABELS, row * LABELS + LABELS);
    return { ...p, data };
  };
  if (def.needs.probabilities) {
    const p = base().probabilities!;
    out.push(['NaN probability', { ...base(), probabilities: poke(p, 7, NaN) }, /probabilities row 2, column 1 is NaN/]);
    out.push(['negative probability', { ...base(), probabilities: poke(p, 4, -0.2) }, /probabilities row 1, column 1 is negative \(-0.2\)/]);
    if (def.kind === 'multi-label') out.push(['probability above 1', { ...base(), probabilities: poke(p, 3, 1.5) }, /row 1, column 0 is 1.5, above 1/]);
    else out.push(['row not summing to 1', { ...base(), probabilities: pokeRow(p, 2, 0.3) }, /probabilities row 2 sums to 0.9, not 1 ± 1e-3/]);
    out.push(['wrong width', { ...base(), probabilities: { ...p, labels: LABELS + 1 } }, /probabilities.data has 36 values, expected rows × labels = 12 × 4 = 48/]);
  }
  if (def.needs.committee) {
    const c = base().committee!;
    out.push(['NaN in a member', { ...base(), committee: [c[0]!, poke(c[1]!, 0, NaN), c[2]!] }, /committee\[1\] row 0, column 0 is NaN/]);
    out.push(['negative in a member', { ...base(), committee: [c[0]!, c[1]!, poke(c[2]!, 5, -1)] }, /committee\[2\] row 1, column 2 is negative/]);
    out.push(['member row not summing to 1', { ...base(), committee: [pokeRow(c[0]!, 0, 0.34), c[1]!] }, /committee\[0\] row 0 sums to 1.02, not 1 ± 1e-3/]);
    out.push(['members of different shapes', { ...base(), committee: [c[0]!, randomProbs(n, LABELS + 1)] }, /committee\[1\] is 12 rows × 4 labels, but committee\[0\] is 12 × 3/]);
  }
  if (def.needs.embeddings) {
    const e = base().embeddings!;
    const bad: Embeddings = { ...e, data: e.data.slice() };
    bad.data[DIM * 5 + 2] = NaN;
    out.push(['NaN embedding', { ...base(), embeddings: bad }, /embeddings row 5, column 2 is NaN/]);
    out.push(['embedding dimension mismatch', { ...base(), embeddings: { ...e, dim: DIM + 1 } }, /embeddings.data has 48 values, expected rows × dim = 12 × 5 = 60/]);
    if (def.needs.probabilities) {
      out.push(['embedding rows ≠ probability rows', { ...base(), embeddings: randomEmb(n + 1, DIM) }, /embeddings have 13 rows, but the probabilities have 12|embeddings has 13 rows, but probabilities has 12/]);
    }
  }
  if (def.needs.groups) out.push(['group key of a bad type', { ...base(), groups: [{}, ...Array.from(base().groups!)].slice(0, n) as never }, /groups\[0\] must be a string, number or null/]);
  out.push(['candidate out of range', { ...base(), candidates: Int32Array.from([0, n]) }, /candidates\[1\] = 12 is out of range \[0, 12\)/]);
  out.push(['duplicate labelled row', { ...base(), labelled: Int32Array.from([1, 1]) }, /labelled\[1\] = 1 is a duplicate/]);
  return out;
}

describe.each(STRATEGY_IDS.map((id) => [id, STRATEGIES[id] as StrategyDefinition] as const))('strategy %s', (_id: StrategyId, def) => {
  const n = 40;

  it('returns k distinct in-range candidates, ranked, with finite scores', () => {
    for (const k of [1, 7, 20]) {
      const s = run(def, inputFor(def, n), k);
      expectValidShape(def, s.index, s.score, k, range(n));
    }
  });

  it('never picks a labelled row or a non-candidate', () => {
    const labelled = Int32Array.from([0, 5, 10, 15]);
    const a = run(def, { ...inputFor(def, n), labelled }, 10);
    expectValidShape(def, a.index, a.score, 10, new Set([...range(n)].filter((i) => !labelled.includes(i))));
    const candidates = Int32Array.from([33, 2, 21, 8, 30, 14]);
    const b = run(def, { ...inputFor(def, n), candidates }, 4);
    expectValidShape(def, b.index, b.score, 4, new Set(candidates));
  });

  it('is deterministic for a seed', () => {
    const input = inputFor(def, n, 5);
    const a = run(def, input, 9, 42), b = run(def, input, 9, 42);
    expect(ints(a.index)).toEqual(ints(b.index));
    expect(ints(a.score)).toEqual(ints(b.score));
    if (def.deterministic) expect(ints(run(def, input, 9, 43).index)).toEqual(ints(a.index));
  });

  it('k ≥ pool size returns the whole candidate set', () => {
    for (const k of [n, n + 5]) expect(ints(run(def, inputFor(def, n), k).index).sort((x, y) => x - y)).toEqual([...range(n)]);
    const labelled = Int32Array.from([3, 4]);
    const rest = ints(run(def, { ...inputFor(def, n), labelled }, n).index).sort((x, y) => x - y);
    expect(rest).toEqual([...range(n)].filter((i) => i !== 3 && i !== 4));
  });

  it('an empty pool or k = 0 returns an empty selection', () => {
    for (const s of [
      run(def, inputFor(def, 0), 5),
      run(def, { ...inputFor(def, n), candidates: new Int32Array(0) }, 5),
      run(def, inputFor(def, n), 0),
    ]) {
      expect(s.index.length).toBe(0);
      expect(s.score.length).toBe(0);
    }
  });

  it('breaks ties explicitly on all-equal inputs', () => {
    const input = inputFor(def, n, 1, true);
    const s = run(def, input, 6);
    expectValidShape(def, s.index, s.score, 6, range(n));
    expect(ints(run(def, input, 6).index)).toEqual(ints(s.index));
    if (def.deterministic) expect(ints(s.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it.each(badInputs(def))('rejects %s with a clear ValidationError', (_what, input, message) => {
    expect(() => run(def, input, 3)).toThrow(ValidationError);
    expect(() => run(def, input, 3)).toThrow(message);
  });

  it('rejects a negative or fractional k', () => {
    expect(() => run(def, inputFor(def, n), -1)).toThrow(/k must be a non-negative integer/);
    expect(() => run(def, inputFor(def, n), 2.5)).toThrow(ValidationError);
  });
});
