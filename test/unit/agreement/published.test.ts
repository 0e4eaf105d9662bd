/**
 * Table-driven check of every published agreement vector in
 * test/fixtures/agreement/published.json (a verbatim copy of the project's
 * shared reference set): one test per case, value within the case tolerance.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  cohenKappa,
  encodeRatings,
  fleissKappa,
  gwetAC1,
  krippendorffAlpha,
  percentAgreement,
  scottPi,
  type AgreementResult,
  type ContingencyTable,
  type CountMatrix,
  type MultiRaterInput,
  type RatingMatrix,
  type TwoRaterInput,
} from '../../../src/modules/agreement/metrics/index.js';

type Scalar = string | number;

interface PublishedCase {
  id: string;
  metric: 'krippendorff_alpha' | 'cohen_kappa' | 'scott_pi' | 'fleiss_kappa' | 'gwet_ac1' | 'percent_agreement';
  params: {
    level?: 'nominal' | 'ordinal' | 'interval' | 'ratio';
    weights?: 'none' | 'linear' | 'quadratic';
    unequal_raters?: string;
  };
  data:
    | { format: 'reliability_matrix'; matrix: (Scalar | null)[][]; categories?: Scalar[] }
    | { format: 'counts'; counts: number[][]; categories: Scalar[] }
    | { format: 'pairs'; rater1: Scalar[]; rater2: Scalar[]; categories: Scalar[]; contingency?: number[][] };
  expected: number | null;
  tolerance: number;
  published_value: number | null;
  published_decimals?: number;
  intermediates?: Record<string, number>;
}

interface PublishedFile {
  schema_version: number;
  count: number;
  cases: PublishedCase[];
}

const FIXTURE = fileURLToPath(new URL('../../fixtures/agreement/published.json', import.meta.url));
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as PublishedFile;
const cases = fixture.cases;

// Count guard (runs at collection, so a mismatch fails the file): one test per
// case, the declared count, and the 69 cases the reference README lists.
if (cases.length !== fixture.count || cases.length !== 69 || new Set(cases.map((c) => c.id)).size !== cases.length) {
  throw new Error(`published.json: ${cases.length} cases, count field ${fixture.count}, expected 69 unique ids`);
}

/** Declared categories as strings (+ numeric values when numeric), else sorted distinct values. */
function categoriesOf(declared: Scalar[] | undefined, observed: (Scalar | null)[]): { categories: string[]; values?: number[] } {
  let cats: Scalar[];
  if (declared !== undefined) cats = declared;
  else {
    const distinct = [...new Set(observed.filter((v): v is Scalar => v !== null))];
    cats = distinct.every((v) => typeof v === 'number')
      ? (distinct as number[]).sort((a, b) => a - b)
      : distinct.map(String).sort();
  }
  const categories = cats.map(String);
  return cats.every((v) => typeof v === 'number') ? { categories, values: cats as number[] } : { categories };
}

interface CaseInputs {
  /** units × coders; counts are expanded into anonymous rater columns padded with null. */
  matrix: RatingMatrix;
  counts?: CountMatrix;
  table?: ContingencyTable;
}

function toInputs(c: PublishedCase): CaseInputs {
  const d = c.data;
  if (d.format === 'reliability_matrix') {
    // rows are coders, columns are units → transpose
    const nUnits = d.matrix[0]?.length ?? 0;
    const { categories, values } = categoriesOf(d.categories, d.matrix.flat());
    const units = Array.from({ length: nUnits }, (_, u) =>
      d.matrix.map((row) => {
        const v = row[u];
        return v === null || v === undefined ? null : String(v);
      }),
    );
    return { matrix: values ? { categories, units, values } : { categories, units } };
  }
  if (d.format === 'counts') {
    const { categories, values } = categoriesOf(d.categories, []);
    const maxM = Math.max(...d.counts.map((r) => r.reduce((a, b) => a + b, 0)));
    const units = d.counts.map((row) => {
      const labels: (string | null)[] = [];
      row.forEach((n, j) => {
        for (let i = 0; i < n; i++) labels.push(categories[j]!);
      });
      while (labels.length < maxM) labels.push(null);
      return labels;
    });
    const counts: CountMatrix = values ? { categories, counts: d.counts, values } : { categories, counts: d.counts };
    return { matrix: { categories, units }, counts };
  }
  const { categories } = categoriesOf(d.categories, []);
  const units = d.rater1.map((a, i) => [String(a), String(d.rater2[i])]);
  const out: CaseInputs = { matrix: { categories, units } };
  if (d.contingency) out.table = { categories, table: d.contingency };
  return out;
}

function run(c: PublishedCase, input: MultiRaterInput | TwoRaterInput): AgreementResult {
  switch (c.metric) {
    case 'krippendorff_alpha':
      return krippendorffAlpha(input as MultiRaterInput, { level: c.params.level ?? 'nominal' });
    case 'cohen_kappa':
      return cohenKappa(input as TwoRaterInput, { weights: c.params.weights ?? 'none' });
    case 'scott_pi':
      return scottPi(input as TwoRaterInput);
    case 'fleiss_kappa':
      return fleissKappa(input as MultiRaterInput);
    case 'gwet_ac1':
      return gwetAC1(input as MultiRaterInput);
    case 'percent_agreement':
      return percentAgreement(input as MultiRaterInput);
  }
}

function close(actual: number | null, expected: number | null, tol: number, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeNull();
    return;
  }
  expect(actual, what).not.toBeNull();
  expect(Math.abs((actual as number) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

describe('published agreement vectors (test/fixtures/agreement/published.json)', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    if (c.metric === 'fleiss_kappa' && c.params.unequal_raters !== undefined) {
      expect(c.params.unequal_raters).toBe('gwet2014'); // the only generalization implemented
    }
    const inputs = toInputs(c);
    const tol = c.tolerance;

    // 1. the string-labelled reliability matrix (the primary public form)
    const r = run(c, inputs.matrix);
    close(r.value, c.expected, tol, `${c.id} value`);
    expect(Number.isNaN(r.value)).toBe(false);

    // 2. the pre-encoded Int32 fast path gives the identical number
    const enc = run(c, encodeRatings(inputs.matrix));
    expect(enc).toEqual(r);

    // 3. the alternative published representations agree too
    if (inputs.counts && c.metric !== 'cohen_kappa' && c.metric !== 'scott_pi') {
      close(run(c, inputs.counts).value, c.expected, tol, `${c.id} counts`);
    }
    if (inputs.table && (c.metric === 'cohen_kappa' || c.metric === 'scott_pi')) {
      close(run(c, inputs.table).value, c.expected, tol, `${c.id} contingency table`);
    }

    // 4. the published (rounded) value, at its printed precision
    if (c.published_value !== null && c.published_decimals !== undefined && r.value !== null) {
      const half = 0.5 * 10 ** -c.published_decimals;
      expect(Math.abs(r.value - c.published_value)).toBeLessThanOrEqual(half + 1e-12);
    }

    // 5. intermediates, where the file gives them
    const im = c.intermediates ?? {};
    if (im.D_o !== undefined && im.D_e !== undefined) {
      close(r.observed, im.D_o, tol, 'D_o');
      close(r.expected, im.D_e, tol, 'D_e');
      if (im.pairable_units !== undefined) expect(r.units).toBe(im.pairable_units);
    }
    if (im.p_a !== undefined) {
      const f = fleissKappa(inputs.matrix);
      close(f.observed, im.p_a, tol, 'p_a');
      if (im.pe_fleiss !== undefined) close(f.expected, im.pe_fleiss, tol, 'pe_fleiss');
      if (im.pe_gwet !== undefined) close(gwetAC1(inputs.matrix).expected, im.pe_gwet, tol, 'pe_gwet');
    }
    if (im.p_o !== undefined) {
      const k = cohenKappa(inputs.matrix);
      close(k.observed, im.p_o, tol, 'p_o');
      if (im.pe_cohen !== undefined) close(k.expected, im.pe_cohen, tol, 'pe_cohen');
      if (im.pe_scott !== undefined) close(scottPi(inputs.matrix).expected, im.pe_scott, tol, 'pe_scott');
      if (im.n !== undefined) expect(k.units).toBe(im.n);
    }
  });
});
