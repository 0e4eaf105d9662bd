import { quantileSorted } from 'simple-statistics';
import type { Scale } from '../../core/labels.js';
import { createRng } from '../../core/random.js';
import { majorityVote } from './consensus/index.js';
import { binaryLabelData, type LabelData } from './label-data.js';
import { cohenKappa, fleissKappa, gwetAC1, krippendorffAlpha, percentAgreement, scottPi, type AgreementResult, type CohenWeights } from './metrics/index.js';
import type { AgreementMetric, AgreementReport, MetricResult } from './agreement.schemas.js';
import { buildUnits, pairTables, type Units } from './units.js';

export interface MetricOptions {
  level: Scale;
  weights: CohenWeights;
}

type Value = { value: number | null; reason?: string };

const NO_UNITS = 'no item has two or more annotations';

function safe(run: () => AgreementResult): Value {
  try {
    const r = run();
    return r.value === null ? { value: null, reason: r.reason ?? 'undefined for these data' } : { value: r.value };
  } catch (err) {
    return { value: null, reason: (err as Error).message };
  }
}

function mean(values: (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null;
}

/** Project-level Cohen/Scott with many annotators: the mean over annotator pairs (Light 1971). */
function pairwiseMean(units: Units, sample: ArrayLike<number>, metric: 'cohen-kappa' | 'scott-pi', weights: CohenWeights): Value {
  const values = pairTables(units, sample)
    .filter((t) => t.some((r) => r.some((c) => c > 0)))
    .map((table) => safe(() => (metric === 'cohen-kappa' ? cohenKappa({ categories: units.categories, table }, { weights }) : scottPi({ categories: units.categories, table }))).value);
  const m = mean(values);
  return m === null ? { value: null, reason: 'no annotator pair has a defined coefficient' } : { value: m };
}

/** One metric over a sample of unit indexes (all units, or a bootstrap resample). */
export function metricOnUnits(units: Units, sample: ArrayLike<number>, metric: AgreementMetric, o: MetricOptions): Value {
  if (sample.length === 0) return { value: null, reason: NO_UNITS };
  if (metric === 'cohen-kappa' || metric === 'scott-pi') return pairwiseMean(units, sample, metric, o.weights);
  const counts = Array.from(sample, (u) => units.counts[u]!);
  const input = { categories: units.categories, counts };
  switch (metric) {
    case 'percent':
      return safe(() => percentAgreement(input));
    case 'fleiss-kappa':
      return safe(() => fleissKappa(input));
    case 'gwet-ac1':
      return safe(() => gwetAC1(input));
    case 'krippendorff-alpha':
      return safe(() => krippendorffAlpha(input, { level: o.level }));
  }
}

/** 95% percentile interval of a statistic over units resampled with replacement (seeded). */
export function bootstrapInterval(nUnits: number, resamples: number, seed: number, statistic: (sample: Int32Array) => number | null): [number, number] | null {
  if (resamples === 0 || nUnits === 0) return null;
  const rng = createRng(seed);
  const values: number[] = [];
  const sample = new Int32Array(nUnits);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < nUnits; i++) sample[i] = rng.int(nUnits);
    const v = statistic(sample);
    if (v !== null) values.push(v);
  }
  if (values.length < resamples / 2) return null;
  values.sort((a, b) => a - b);
  return [quantileSorted(values, 0.025), quantileSorted(values, 0.975)];
}

const allUnits = (u: Units) => Int32Array.from({ length: u.counts.length }, (_, i) => i);

/** A metric with its interval; multi-label projects average the per-label values (and resample them together). */
export function metricResult(unitsPerVariable: Units[], metric: AgreementMetric, o: MetricOptions, resamples: number, seed: number): MetricResult {
  const n = unitsPerVariable[0]?.counts.length ?? 0;
  const evaluate = (sample: ArrayLike<number>): Value => {
    const parts = unitsPerVariable.map((u) => metricOnUnits(u, sample, metric, o));
    if (parts.length === 1) return parts[0]!;
    const m = mean(parts.map((p) => p.value));
    return m === null ? { value: null, reason: parts[0]?.reason ?? NO_UNITS } : { value: m };
  };
  const point = evaluate(n ? allUnits(unitsPerVariable[0]!) : []);
  return {
    metric,
    level: metric === 'krippendorff-alpha' ? o.level : 'nominal',
    ...(metric === 'cohen-kappa' ? { weights: o.weights } : {}),
    value: point.value,
    ...(point.reason ? { reason: point.reason } : {}),
    ci: point.value === null ? null : bootstrapInterval(n, resamples, seed, (s) => evaluate(s).value),
    units: n,
    annotators: unitsPerVariable[0]?.annotators ?? 0,
  };
}

/** The units of each variable: the single label, or each label of a multi-label project as present/absent. */
export function variables(data: LabelData): Units[] {
  return data.multiLabel ? data.labels.map((_, l) => buildUnits(binaryLabelData(data, l))) : [buildUnits(data)];
}

export function perLabelView(data: LabelData, vars: Units[], o: MetricOptions): AgreementReport['perLabel'] {
  return data.labels.map((label, l) => {
    let units: Units;
    if (data.multiLabel) units = vars[l]!;
    else {
      const base = vars[0]!;
      units = { ...base, categories: ['other', label], counts: base.counts.map((row) => [row.reduce((a, b) => a + b, 0) - row[l]!, row[l]!]), pairs: [], pairLabels: [] };
    }
    const all = allUnits(units);
    const alpha = metricOnUnits(units, all, 'krippendorff-alpha', { ...o, level: 'nominal' });
    const kappa = metricOnUnits(units, all, 'fleiss-kappa', o);
    return { label, alpha: alpha.value, kappa: kappa.value, ...(alpha.reason ? { reason: alpha.reason } : {}) };
  });
}

export function pairwiseView(data: LabelData, vars: Units[], o: MetricOptions): AgreementReport['pairwise'] {
  const nA = data.annotators.length;
  const kappas = Array.from({ length: nA }, () => Array.from({ length: nA }, () => [] as (number | null)[]));
  const shared = Array.from({ length: nA }, () => new Array<number>(nA).fill(0));
  for (const units of vars) {
    const tables = pairTables(units, allUnits(units));
    units.pairs.forEach((p, idx) => {
      const table = tables[idx]!;
      const v = safe(() => cohenKappa({ categories: units.categories, table }, { weights: data.multiLabel ? 'none' : o.weights })).value;
      kappas[p.a]![p.b]!.push(v);
      if (units === vars[0]) shared[p.a]![p.b] = shared[p.b]![p.a] = table.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
    });
  }
  const kappa = Array.from({ length: nA }, (_, a) =>
    Array.from({ length: nA }, (_, b) => (a === b ? (vars[0]?.pairs.some((p) => p.a === a || p.b === a) ? 1 : null) : mean(kappas[Math.min(a, b)]![Math.max(a, b)]!))),
  );
  return { annotators: data.annotators, kappa, units: shared };
}

export function perAnnotatorView(data: LabelData, pairwise: AgreementReport['pairwise'], o: MetricOptions): AgreementReport['perAnnotator'] {
  const nA = data.annotators.length;
  const k = data.labels.length;
  const majority = data.multiLabel
    ? null
    : majorityVote({ nItems: data.items.length, nAnnotators: nA, nClasses: k, item: data.obsItem, annotator: data.obsAnnotator, label: data.obsLabel });
  const tables = Array.from({ length: nA }, () => Array.from({ length: k }, () => new Array<number>(k).fill(0)));
  const annotations = new Array<number>(nA).fill(0);
  for (let t = 0; t < data.obsItem.length; t++) {
    const a = data.obsAnnotator[t]!;
    annotations[a]!++;
    const i = data.obsItem[t]!;
    if (!majority || majority.label[i]! < 0 || majority.votes[i]! < 2 || data.obsLabel[t]! < 0) continue;
    tables[a]![data.obsLabel[t]!]![majority.label[i]!]!++;
  }
  return data.annotators.map((annotator, a) => {
    const table = tables[a]!;
    const units = table.reduce((s, r) => s + r.reduce((x, y) => x + y, 0), 0);
    const agree = table.reduce((s, r, i) => s + r[i]!, 0);
    return {
      annotator,
      annotations: annotations[a]!,
      meanPairwiseKappa: mean(pairwise.kappa[a]!.filter((_, b) => b !== a)),
      withConsensus: {
        units,
        agreement: units ? agree / units : null,
        kappa: units ? safe(() => cohenKappa({ categories: data.labels, table }, { weights: o.weights })).value : null,
      },
    };
  });
}

export function confusionView(data: LabelData, vars: Units[]): AgreementReport['confusion'] {
  if (data.multiLabel) return { labels: [], counts: [] };
  const k = data.labels.length;
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const trip of vars[0]!.pairLabels) {
    for (let t = 0; t < trip.length; t += 3) {
      const x = trip[t + 1]!, y = trip[t + 2]!;
      counts[x]![y]!++;
      if (x !== y) counts[y]![x]!++;
    }
  }
  return { labels: data.labels, counts };
}
