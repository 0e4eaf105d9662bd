/**
 * Per-strategy summaries of a simulation (pure): labels needed to reach 95/98/99% of
 * the full-pool accuracy (each seed against its own full-pool fit), labels needed to
 * reach an absolute accuracy, the normalised area under the learning curve, and the
 * paired differences from `random` with 95% Student-t intervals over seeds.
 */
import { aulc, labelsToTarget, meanSd, pairedInterval, type CurvePoint, type PairedInterval } from './metrics.js';

/** Fractions of the full-pool accuracy the report asks about. */
export const RELATIVE_TARGETS = [0.95, 0.98, 0.99] as const;

export interface RunCurve {
  strategy: string;
  seed: number;
  points: CurvePoint[];
}

export interface LabelsToTarget {
  /** Fraction of the full-pool accuracy (relative) or the accuracy itself (absolute). */
  target: number;
  kind: 'relative' | 'absolute';
  /** Per seed (in `seeds` order): labels at the first evaluation point ≥ the target, null if never. */
  perSeed: (number | null)[];
  /** Over the seeds that reached it. */
  mean: number | null;
  sd: number | null;
  reached: number;
  seeds: number;
}

export interface StrategySummary {
  strategy: string;
  seeds: number[];
  /** Relative targets (95/98/99% of full-pool accuracy); empty without full-pool fits. */
  labelsTo: LabelsToTarget[];
  /** Present with an absolute target accuracy. */
  labelsToAccuracy: LabelsToTarget | null;
  aulc: { perSeed: number[]; mean: number; sd: number };
  finalAccuracy: { mean: number; sd: number; labels: number };
  /** This strategy minus random, paired by seed; null for random itself or without a random run. */
  vsRandom: { aulc: PairedInterval; labelsTo98: PairedInterval } | null;
}

function summarizeTarget(perSeed: (number | null)[], target: number, kind: LabelsToTarget['kind']): LabelsToTarget {
  const got = perSeed.filter((v): v is number => v !== null);
  const s = meanSd(got);
  return { target, kind, perSeed, mean: got.length ? s.mean : null, sd: got.length ? s.sd : null, reached: got.length, seeds: perSeed.length };
}

const curveOf = (points: readonly CurvePoint[]) => points.map((p) => ({ labels: p.labels, value: p.accuracy }));

/**
 * @param fullPool accuracy of the model trained on the whole pool, per seed (null: not computed, no relative targets).
 * @param targetAccuracy optional absolute accuracy to report labels for.
 */
export function summarize(
  runs: readonly RunCurve[],
  strategies: readonly string[],
  seeds: readonly number[],
  fullPool: ReadonlyMap<number, number> | null,
  targetAccuracy?: number,
): StrategySummary[] {
  const find = (strategy: string, seed: number): RunCurve => {
    const r = runs.find((x) => x.strategy === strategy && x.seed === seed);
    if (!r) throw new Error(`no run for ${strategy}, seed ${seed}`);
    return r;
  };
  const base = strategies.map((strategy) => {
    const curves = seeds.map((seed) => curveOf(find(strategy, seed).points));
    const labelsTo = (fullPool ? RELATIVE_TARGETS : []).map((f) =>
      summarizeTarget(
        curves.map((c, i) => {
          const full = fullPool!.get(seeds[i]!);
          if (full === undefined) throw new Error(`no full-pool accuracy for seed ${seeds[i]}`);
          return labelsToTarget(c, f * full);
        }),
        f,
        'relative',
      ),
    );
    const labelsToAccuracy = targetAccuracy === undefined ? null : summarizeTarget(curves.map((c) => labelsToTarget(c, targetAccuracy)), targetAccuracy, 'absolute');
    const areas = curves.map((c) => aulc(c));
    const a = meanSd(areas);
    const finals = curves.map((c) => c[c.length - 1]!.value);
    const f = meanSd(finals);
    const lastLabels = Math.max(...curves.map((c) => c[c.length - 1]!.labels));
    return {
      strategy,
      seeds: [...seeds],
      labelsTo,
      labelsToAccuracy,
      aulc: { perSeed: areas, mean: a.mean, sd: a.sd },
      finalAccuracy: { mean: f.mean, sd: f.sd, labels: lastLabels },
      vsRandom: null as StrategySummary['vsRandom'],
    } satisfies StrategySummary;
  });
  const random = base.find((s) => s.strategy === 'random');
  if (random) {
    const r98 = random.labelsTo.find((l) => l.target === 0.98)?.perSeed ?? [];
    for (const s of base) {
      if (s === random) continue;
      s.vsRandom = {
        aulc: pairedInterval(s.aulc.perSeed, random.aulc.perSeed),
        labelsTo98: pairedInterval(s.labelsTo.find((l) => l.target === 0.98)?.perSeed ?? [], r98),
      };
    }
  }
  return base;
}

/** "364 ± 111", "> 600" (no seed reached), "> 600 (3/5: 387 ± 104)" (3 of 5 seeds did; their mean ± sd). */
export function formatLabels(t: LabelsToTarget, budget: number): string {
  if (t.reached === 0) return `> ${budget}`;
  const ms = `${Math.round(t.mean!)} ± ${Math.round(t.sd!)}`;
  return t.reached === t.seeds ? ms : `> ${budget} (${t.reached}/${t.seeds}: ${ms})`;
}

/** "+0.0123 [0.0050, 0.0196]" (n pairs) or "—". */
export function formatInterval(p: PairedInterval | undefined | null, digits: number): string {
  if (!p || p.n === 0 || !Number.isFinite(p.mean)) return '—';
  const f = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(digits);
  return p.low === null || p.high === null ? `${f(p.mean)} (n = ${p.n})` : `${f(p.mean)} [${f(p.low)}, ${f(p.high)}]`;
}
