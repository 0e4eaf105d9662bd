/**
 * The project page's charts in one read: labelling progress and throughput, the
 * annotators, and the model side (learning curve, versions, the champion's errors
 * and calibration, the stopping signal). Everything here is derived from what the
 * queue, evaluation and promotion steps already stored; nothing is recomputed
 * from predictions.
 */
import { toIso, type Clock } from '../../core/clock.js';
import type { Db } from '../../db/index.js';
import { championVersionId, listModels, listPromotionRows } from '../models/index.js';
import { resolveProject, settingsOf } from '../projects/index.js';
import { annotatorStats, wantedAnnotations } from '../queue/index.js';
import { DAY_MS, itemLabelCounts, labelsPerDay } from './dashboard.repo.js';
import type { Dashboard } from './dashboard.schemas.js';
import { listEvaluations, stoppingSignal } from './evaluation.service.js';
import type { Evaluation } from './evaluation.schemas.js';

export const DASHBOARD_DAYS = 60;

type Ci = [number, number] | null;

/** A `{ value }` metric of a stored evaluation, or null when absent or undefined. */
function valueOf(metrics: Record<string, unknown>, key: string): number | null {
  const m = metrics[key] as { value?: unknown } | undefined;
  return typeof m?.value === 'number' ? m.value : null;
}

function ciOf(metrics: Record<string, unknown>, key: string): Ci {
  const c = (metrics.intervals as Record<string, { ci?: unknown } | undefined> | undefined)?.[key]?.ci;
  return Array.isArray(c) && c.length === 2 && c.every((x) => typeof x === 'number') ? (c as [number, number]) : null;
}

/** scikit-learn's accuracy_score on multi-label data is subset accuracy: the same question, "was the whole answer right". */
const accuracyOf = (m: Record<string, unknown>) => valueOf(m, 'accuracy') ?? valueOf(m, 'subsetAccuracy');

function completion(db: Db, project: { id: number; settings: Record<string, unknown> }): Dashboard['completion'] {
  const s = settingsOf(project.settings);
  const rows = itemLabelCounts(db, project.id);
  const complete = rows.filter((r) => r.have >= wantedAnnotations(s, project.id, r.externalId)).length;
  return { items: rows.length, complete, rate: rows.length ? complete / rows.length : null };
}

function dailyLabels(db: Db, projectId: number, now: number): Dashboard['labelsPerDay'] {
  const today = Math.floor(now / DAY_MS);
  const first = today - DASHBOARD_DAYS + 1;
  const days = Array.from({ length: DASHBOARD_DAYS }, (_, i) => ({ date: new Date((first + i) * DAY_MS).toISOString().slice(0, 10), task: 0, import: 0, review: 0 }));
  for (const r of labelsPerDay(db, projectId, first * DAY_MS)) {
    const d = days[r.day - first];
    // a clock moved backwards can store labels "tomorrow": not in the window
    if (d) d[r.source] += r.n;
  }
  return days;
}

/** The chart's version: the champion's latest evaluation, else (nothing promoted yet) the newest evaluated version's. */
function shownEvaluation(evals: Evaluation[], champion: number | null): { e: Evaluation; champion: boolean } | null {
  const ofChampion = champion === null ? undefined : evals.find((e) => e.modelVersion === champion);
  if (ofChampion) return { e: ofChampion, champion: true };
  const last = evals.at(-1);
  return last ? { e: last, champion: false } : null;
}

function confusionOf(shown: { e: Evaluation; champion: boolean } | null, labels: string[]): Dashboard['confusion'] {
  const c = shown?.e.metrics.confusion as { labels?: unknown; counts?: unknown } | undefined;
  if (!shown || !c || typeof c.labels !== 'number' || !Array.isArray(c.counts)) return null;
  // class indexes are project label positions; labels are only ever appended, so the prefix names them
  return { version: shown.e.modelVersion, champion: shown.champion, labels: labels.slice(0, c.labels), counts: c.counts as number[][] };
}

function calibrationOf(shown: { e: Evaluation; champion: boolean } | null): Dashboard['calibration'] {
  const ece = shown?.e.metrics.ece as { value?: unknown; bins?: unknown } | undefined;
  if (!shown || !ece || !Array.isArray(ece.bins)) return null;
  return {
    version: shown.e.modelVersion,
    champion: shown.champion,
    ece: typeof ece.value === 'number' ? ece.value : null,
    bins: ece.bins as NonNullable<Dashboard['calibration']>['bins'],
  };
}

export function projectDashboard(deps: { db: Db; clock: Clock }, projectRef: string | number): Dashboard {
  const project = resolveProject(deps, projectRef);
  const s = settingsOf(project.settings);
  const models = listModels(deps, project.id);
  const versionById = new Map(models.map((m) => [m.id, m.version]));
  const championId = championVersionId(deps.db, project.id);
  const champion = championId === null ? null : (versionById.get(championId) ?? null);
  const evals = listEvaluations(deps, project.id).sort((a, b) => a.modelVersion - b.modelVersion);
  const evalOf = new Map(evals.map((e) => [e.modelVersion, e]));
  // newest decision per challenger (rows come newest first)
  const decisions = new Map<number, { decision: 'promoted' | 'kept'; reason: string | null }>();
  for (const p of listPromotionRows(deps.db, project.id)) {
    const v = versionById.get(p.challengerVersionId);
    if (v === undefined || decisions.has(v)) continue;
    decisions.set(v, { decision: p.decision === 'promoted' ? 'promoted' : 'kept', reason: typeof p.details.reason === 'string' ? p.details.reason : null });
  }
  const shown = shownEvaluation(evals, champion);

  return {
    project: project.name,
    labels: project.labels,
    multiLabel: project.multiLabel,
    generatedAt: toIso(deps.clock.now())!,
    completion: completion(deps.db, project),
    labelsPerDay: dailyLabels(deps.db, project.id, deps.clock.now()),
    goldThreshold: s.goldThreshold,
    annotators: annotatorStats(deps, project.id).map((a) => ({
      annotator: a.annotator,
      annotations: a.done,
      medianSeconds: a.medianSeconds,
      goldAnswered: a.gold.answered,
      goldAccuracy: a.gold.accuracy,
      flagged: a.gold.flagged,
    })),
    champion,
    learningCurve: evals.map((e) => ({
      version: e.modelVersion,
      trainingLabels: e.trainingLabels,
      evalItems: e.evalItems,
      accuracy: { value: accuracyOf(e.metrics), ci: ciOf(e.metrics, 'accuracy') },
      macroF1: { value: valueOf(e.metrics, 'macroF1'), ci: ciOf(e.metrics, 'macroF1') },
    })),
    versions: models.map((m) => {
      const e = evalOf.get(m.version);
      const d = decisions.get(m.version);
      const labelCount = m.trainingSnapshot?.labelCount;
      return {
        version: m.version,
        kind: m.kind,
        champion: m.version === champion,
        trainingLabels: typeof labelCount === 'number' ? labelCount : null,
        evalItems: e?.evalItems ?? null,
        accuracy: e ? accuracyOf(e.metrics) : null,
        macroF1: e ? valueOf(e.metrics, 'macroF1') : null,
        intervals: { accuracy: e ? ciOf(e.metrics, 'accuracy') : null, macroF1: e ? ciOf(e.metrics, 'macroF1') : null },
        decision: d?.decision ?? null,
        reason: d?.reason ?? null,
        createdAt: m.createdAt,
      };
    }),
    confusion: confusionOf(shown, project.labels),
    calibration: calibrationOf(shown),
    stopping: stoppingSignal(deps, project.id),
  };
}
