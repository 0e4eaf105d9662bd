import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeAgreement, computeConsensus } from '../../src/modules/agreement/index.js';
import { ValidationError } from '../../src/core/errors.js';
import { importText, jsonl, makeProject, makeTestDeps, type TestContext } from '../helpers.js';

interface Case {
  id: string;
  expected: number;
  tolerance: number;
  data: { matrix?: (string | number | null)[][]; rater1?: number[]; rater2?: number[]; categories?: (string | number)[] };
}
const cases = new Map(
  (JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/agreement/published.json'), 'utf8')) as { cases: Case[] }).cases.map((c) => [c.id, c]),
);

let t: TestContext;
beforeEach(() => {
  t = makeTestDeps();
});
afterEach(() => t.close());

/** Imports a coders × units reliability matrix as items annotated by coder-0, coder-1, … */
async function importMatrix(project: string, matrix: (string | number | null)[][]) {
  const nUnits = matrix[0]!.length;
  const lines = Array.from({ length: nUnits }, (_, u) => ({
    id: `u${u}`,
    text: `unit ${u}`,
    annotations: matrix.flatMap((row, c) => (row[u] === null ? [] : [{ annotator: `coder-${c}`, label: String(row[u]) }])),
  }));
  await importText(t.deps, project, jsonl(lines));
}

describe('project agreement through the service equals the published values', () => {
  it("Krippendorff (2011) example C: alpha nominal and ordinal, with a bootstrap interval around it", async () => {
    const c = cases.get('pub-alpha-ordinal-krippendorff2011-C-strings')!;
    makeProject(t.deps, { name: 'kripp', labels: c.data.categories!.map(String), scale: 'ordinal' });
    await importMatrix('kripp', c.data.matrix!);
    const ordinal = computeAgreement(t.deps, 'kripp', { metric: 'krippendorff-alpha', seed: 7, resamples: 500 });
    const m = ordinal.metrics[0]!;
    expect(m.value!).toBeCloseTo(c.expected, 9);
    expect(m.level).toBe('ordinal');
    expect(m.units).toBe(11);
    expect(m.annotators).toBe(4);
    expect(m.ci![0]).toBeLessThan(m.value!);
    expect(m.ci![1]).toBeGreaterThanOrEqual(m.value!);
    expect(computeAgreement(t.deps, 'kripp', { metric: 'krippendorff-alpha', seed: 7, resamples: 500 }).metrics[0]!.ci).toEqual(m.ci);
    const nominal = computeAgreement(t.deps, 'kripp', { metric: 'krippendorff-alpha', level: 'nominal', resamples: 0 });
    expect(nominal.metrics[0]!.value!).toBeCloseTo(cases.get('pub-alpha-nominal-krippendorff2011-C-strings')!.expected, 9);
    expect(nominal.metrics[0]!.ci).toBeNull();
  });

  it("Gwet's 5 observers with missing ratings: Fleiss (Gwet 2014), AC1, alpha and percent", async () => {
    const fleiss = cases.get('pub-fleiss-gwet-raw5observers')!;
    makeProject(t.deps, { name: 'gwet', labels: fleiss.data.categories!.map(String) });
    await importMatrix('gwet', fleiss.data.matrix!);
    const report = computeAgreement(t.deps, 'gwet', { resamples: 0 });
    const byMetric = Object.fromEntries(report.metrics.map((m) => [m.metric, m.value]));
    expect(byMetric['fleiss-kappa']!).toBeCloseTo(fleiss.expected, 9);
    expect(byMetric['gwet-ac1']!).toBeCloseTo(cases.get('pub-ac1-gwet-raw5observers')!.expected, 9);
    expect(byMetric['krippendorff-alpha']!).toBeCloseTo(cases.get('pub-alpha-nominal-gwet-raw5observers')!.expected, 9);
    expect(byMetric['percent']!).toBeCloseTo(cases.get('pub-pa-gwet-raw5observers')!.expected, 9);
    expect(report.pairwise.annotators).toEqual(['coder-0', 'coder-1', 'coder-2', 'coder-3', 'coder-4']);
    expect(report.pairwise.kappa[0]![0]).toBe(1);
    expect(report.pairwise.kappa[1]![0]).toBe(report.pairwise.kappa[0]![1]);
  });

  it("weighted Cohen's kappa of two raters by position in the ordered label set (R irr's anxiety data)", async () => {
    const c = cases.get('pub-irr-anxiety-r2r3-cohen-quadratic')!;
    makeProject(t.deps, { name: 'anx', labels: c.data.categories!.map(String), scale: 'ordinal' });
    await importMatrix('anx', [c.data.rater1!, c.data.rater2!]);
    for (const [weights, id] of [['quadratic', 'pub-irr-anxiety-r2r3-cohen-quadratic'], ['linear', 'pub-irr-anxiety-r2r3-cohen-linear'], ['none', 'pub-irr-anxiety-r2r3-cohen-none']] as const) {
      const r = computeAgreement(t.deps, 'anx', { metric: 'cohen-kappa', weights, resamples: 0 });
      expect(r.metrics[0]!.value!, weights).toBeCloseTo(cases.get(id)!.expected, 9);
      expect(r.pairwise.kappa[0]![1]!).toBeCloseTo(cases.get(id)!.expected, 9);
    }
  });
});

describe('views', () => {
  beforeEach(async () => {
    makeProject(t.deps, { name: 'v', labels: ['a', 'b', 'c'] });
    await importText(t.deps, 'v', jsonl([
      { id: '1', text: 'x', annotations: [{ annotator: 'ann', label: 'a' }, { annotator: 'bob', label: 'a' }, { annotator: 'cy', label: 'b' }] },
      { id: '2', text: 'x', annotations: [{ annotator: 'ann', label: 'b' }, { annotator: 'bob', label: 'b' }] },
      { id: '3', text: 'x', annotations: [{ annotator: 'ann', label: 'c' }, { annotator: 'cy', label: 'a' }] },
      { id: '4', text: 'x', annotations: [{ annotator: 'ann', label: 'a' }] },
    ]));
  });

  it('per annotator, per label and the confusion between annotators', () => {
    const r = computeAgreement(t.deps, 'v', { resamples: 0 });
    expect(r.units).toBe(3);
    expect(r.annotators).toBe(3);
    // pairs on item 1: (a,a) (a,b) (a,b); item 2: (b,b); item 3: (c,a)
    expect(r.confusion).toEqual({ labels: ['a', 'b', 'c'], counts: [[1, 2, 1], [2, 1, 0], [1, 0, 0]] });
    const bob = r.perAnnotator.find((p) => p.annotator === 'bob')!;
    expect(bob).toMatchObject({ annotations: 2, withConsensus: { units: 2, agreement: 1 } });
    const cy = r.perAnnotator.find((p) => p.annotator === 'cy')!;
    // item 1: consensus a, cy said b; item 3 is a tie (unresolved)
    expect(cy.withConsensus).toMatchObject({ units: 1, agreement: 0 });
    expect(r.pairwise.units[0]![1]).toBe(2);
    expect(r.perLabel.map((l) => l.label)).toEqual(['a', 'b', 'c']);
  });

  it('consensus: majority with ties unresolved, Dawid–Skene with posteriors', () => {
    const mv = computeConsensus(t.deps, 'v', { method: 'majority' });
    expect(mv.items.map((i) => [i.id, i.label, i.source, i.votes])).toEqual([
      ['1', 'a', 'majority', 3],
      ['2', 'b', 'majority', 2],
      ['3', null, 'unresolved', 2],
      ['4', 'a', 'majority', 1],
    ]);
    expect(mv.items[0]!.agreement).toBeCloseTo(2 / 3, 12);
    expect(mv.summary).toEqual({ items: 4, resolved: 3, unresolved: 1, gold: 0, reviewed: 0 });
    const ds = computeConsensus(t.deps, 'v', { method: 'dawid-skene', seed: 3 });
    expect(ds.items.every((i) => i.label !== null)).toBe(true);
    for (const i of ds.items) expect(Object.values(i.probabilities!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(ds.annotators.every((a) => a.accuracy !== null && a.accuracy >= 0 && a.accuracy <= 1)).toBe(true);
  });
});

describe('degenerate input and bad requests', () => {
  it('an empty project, and a project with one coder only, give null with a reason', async () => {
    makeProject(t.deps, { name: 'empty', labels: ['a', 'b'] });
    const r = computeAgreement(t.deps, 'empty');
    expect(r.metrics).toHaveLength(6);
    for (const m of r.metrics) expect(m).toMatchObject({ value: null, reason: 'no item has two or more annotations', ci: null, units: 0 });
    await importText(t.deps, 'empty', jsonl([{ id: '1', text: 'x', label: 'a' }, { id: '2', text: 'y', label: 'b' }]));
    expect(computeAgreement(t.deps, 'empty').metrics[0]!.value).toBeNull();
  });

  it('no variation at all gives null, not NaN or a made-up 1', async () => {
    makeProject(t.deps, { name: 'same', labels: ['a', 'b'] });
    await importText(t.deps, 'same', jsonl([1, 2, 3].map((i) => ({ id: `${i}`, text: 'x', annotations: [{ annotator: 'p', label: 'a' }, { annotator: 'q', label: 'a' }] }))));
    const byMetric = Object.fromEntries(computeAgreement(t.deps, 'same', { resamples: 0 }).metrics.map((m) => [m.metric, m]));
    expect(byMetric['percent']!.value).toBe(1);
    expect(byMetric['krippendorff-alpha']!.value).toBeNull();
    expect(byMetric['krippendorff-alpha']!.reason).toMatch(/.+/);
    expect(byMetric['fleiss-kappa']!.value).toBeNull();
  });

  it('a level or weights that do not fit the scale are refused', () => {
    makeProject(t.deps, { name: 'nom', labels: ['a', 'b'] });
    expect(() => computeAgreement(t.deps, 'nom', { level: 'interval' })).toThrow(ValidationError);
    expect(() => computeAgreement(t.deps, 'nom', { level: 'interval' })).toThrow(/level interval does not fit this project's nominal labels/);
    expect(() => computeAgreement(t.deps, 'nom', { weights: 'linear' })).toThrow(/need ordered labels/);
    makeProject(t.deps, { name: 'ml', labels: ['a', 'b'], multiLabel: true });
    expect(() => computeAgreement(t.deps, 'ml', { weights: 'linear' })).toThrow(/multi-label/);
  });

  it('multi-label: each label as present/absent, and the mean', async () => {
    makeProject(t.deps, { name: 'ml', labels: ['x', 'y'], multiLabel: true });
    await importText(t.deps, 'ml', jsonl([
      { id: '1', text: 't', annotations: [{ annotator: 'p', label: ['x'] }, { annotator: 'q', label: ['x', 'y'] }] },
      { id: '2', text: 't', annotations: [{ annotator: 'p', label: ['y'] }, { annotator: 'q', label: ['y'] }] },
      { id: '3', text: 't', annotations: [{ annotator: 'p', label: [] }, { annotator: 'q', label: ['x'] }] },
    ]));
    const r = computeAgreement(t.deps, 'ml', { metric: 'krippendorff-alpha', resamples: 0 });
    const perLabel = r.perLabel.map((l) => l.alpha);
    const mean = (perLabel[0]! + perLabel[1]!) / 2;
    expect(r.metrics[0]!.value!).toBeCloseTo(mean, 12);
    const consensus = computeConsensus(t.deps, 'ml');
    expect(consensus.items.map((i) => i.label)).toEqual([null, ['y'], null]);
  });

  it('gold items: the imported label is the truth, not a coder', async () => {
    makeProject(t.deps, { name: 'g', labels: ['a', 'b'] });
    await importText(t.deps, 'g', jsonl([{ id: 'g1', text: 't', label: 'b', annotations: [{ annotator: 'p', label: 'a' }, { annotator: 'q', label: 'a' }] }]), { split: 'gold' });
    const c = computeConsensus(t.deps, 'g', { method: 'dawid-skene' });
    expect(c.items[0]).toMatchObject({ id: 'g1', label: 'b', source: 'gold', votes: 2 });
    expect(c.annotators.map((a) => a.annotator)).toEqual(['p', 'q']);
  });
});
