/**
 * Evaluation on fresh ground truth: a model version is measured on the project's
 * eval items with consensus labels (the random stream: never trained on), versions
 * are compared on the same items (McNemar's exact test, paired bootstrap), and the
 * stop set gives the stabilizing-predictions signal.
 */
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { ValidationError } from '../../core/errors.js';
import type { Db } from '../../db/index.js';
import type { EvaluationRow, ModelVersionRow } from '../../db/schema/models.js';
import type { ProjectRow } from '../../db/schema/projects.js';
import { computeConsensus } from '../agreement/index.js';
import { requireModelVersion, versionNumberOf, type ModelWorkers } from '../models/index.js';
import { resolveProject, settingsOf } from '../projects/index.js';
import { predictItems } from '../scoring/index.js';
import { insertEvaluation, itemIdsByExternal, latestEvaluations, stopSetItemIds } from './evaluation.repo.js';
import {
  bootstrapInterval,
  evaluateMultiLabel,
  evaluateSingleLabel,
  mcnemarExact,
  pairedBootstrap,
  predictedClasses,
  predictionAgreement,
  stabilizingPredictions,
} from './metrics/index.js';
import type { Comparison, Evaluation, StoppingSignal } from './evaluation.schemas.js';

export interface EvaluationDeps {
  db: Db;
  clock: Clock;
  models: ModelWorkers;
  config: { dbPath: string };
}

/** Size of the stop set (pool items whose predictions successive versions are compared on). */
export const STOP_SET_SIZE = 2000;
const RESAMPLES = 1000;
const SEED = 1;

export interface EvalTruth {
  itemIds: Float64Array;
  /** Single-label: class per row; multi-label: rows × k 0/1. */
  truth: Int32Array | Uint8Array;
}

/** Eval items with a resolved consensus label (reviewer resolutions and gold answers win, ties are left out). */
export function evalTruth(deps: EvaluationDeps, project: ProjectRow): EvalTruth {
  const report = computeConsensus(deps, project.id, { method: settingsOf(project.settings).consensusMethod });
  const labelled = report.items.filter((i) => i.split === 'eval' && i.label !== null);
  const ids = itemIdsByExternal(deps.db, project.id, labelled.map((i) => i.id));
  const at = new Map(project.labels.map((l, i) => [l, i]));
  const rows = labelled.filter((i) => ids.has(i.id)).sort((a, b) => ids.get(a.id)! - ids.get(b.id)!);
  const k = project.labels.length;
  const itemIds = Float64Array.from(rows, (r) => ids.get(r.id)!);
  if (project.multiLabel) {
    const truth = new Uint8Array(rows.length * k);
    rows.forEach((r, i) => {
      for (const l of r.label as string[]) truth[i * k + at.get(l)!] = 1;
    });
    return { itemIds, truth };
  }
  return { itemIds, truth: Int32Array.from(rows, (r) => at.get(r.label as string)!) };
}

/** Rows of `truth` restricted (and ordered) to the items the model answered for. */
function align(t: EvalTruth, answered: Float64Array, k: number, multi: boolean): Int32Array | Uint8Array {
  const at = new Map<number, number>();
  t.itemIds.forEach((id, i) => at.set(id, i));
  if (!multi) return Int32Array.from(answered, (id) => (t.truth as Int32Array)[at.get(id)!]!);
  const out = new Uint8Array(answered.length * k);
  answered.forEach((id, r) => out.set((t.truth as Uint8Array).subarray(at.get(id)! * k, at.get(id)! * k + k), r * k));
  return out;
}

function toEvaluation(db: Db, row: EvaluationRow): Evaluation {
  return {
    id: row.id,
    modelVersion: versionNumberOf(db, row.modelVersionId) ?? 0,
    evalItems: row.evalItems,
    trainingLabels: row.trainingLabels,
    metrics: row.metrics,
    createdAt: toIso(row.createdAt)!,
  };
}

/** Measures a version on the current eval labels and its stop-set predictions, and stores the result. */
export async function evaluateVersionRow(deps: EvaluationDeps, project: ProjectRow, version: ModelVersionRow, signal?: AbortSignal): Promise<Evaluation> {
  const t = evalTruth(deps, project);
  if (t.itemIds.length === 0) throw new ValidationError(`project "${project.name}" has no labelled eval items: import some with --split eval, or let annotators label the eval stream`);
  const k = project.labels.length;
  const predicted = await predictItems(deps, project, version, t.itemIds, signal);
  const rows = predicted.itemIds.length;
  const p = { rows, labels: k, data: predicted.probs };
  const truth = align(t, predicted.itemIds, k, project.multiLabel);
  let metrics: Record<string, unknown>;
  if (project.multiLabel) metrics = { ...evaluateMultiLabel(truth as Uint8Array, p) };
  else {
    const pred = predictedClasses(p);
    const single = evaluateSingleLabel(truth as Int32Array, p);
    metrics = {
      ...single,
      intervals: {
        accuracy: bootstrapInterval(truth as Int32Array, pred, { metric: 'accuracy', resamples: RESAMPLES, seed: SEED, labels: k }),
        macroF1: bootstrapInterval(truth as Int32Array, pred, { metric: 'macroF1', resamples: RESAMPLES, seed: SEED, labels: k }),
      },
    };
  }
  const stopIds = Float64Array.from(stopSetItemIds(deps.db, project.id, STOP_SET_SIZE));
  const stop = project.multiLabel || stopIds.length === 0 ? null : await predictItems(deps, project, version, stopIds, signal);
  const stopSet = stop ? { itemIds: Array.from(stop.itemIds), classes: Array.from(predictedClasses({ rows: stop.itemIds.length, labels: k, data: stop.probs })) } : null;
  const row = insertEvaluation(deps.db, {
    projectId: project.id, modelVersionId: version.id, evalItems: rows,
    trainingLabels: typeof version.trainingSnapshot?.labelCount === 'number' ? version.trainingSnapshot.labelCount : null,
    metrics, stopSet, createdAt: deps.clock.now(),
  });
  return toEvaluation(deps.db, row);
}

export async function evaluateVersion(deps: EvaluationDeps, projectRef: string | number, version?: number): Promise<Evaluation> {
  const project = resolveProject(deps, projectRef);
  return evaluateVersionRow(deps, project, requireModelVersion(deps, project, version));
}

/**
 * Compares two versions on the same current eval items: accuracy and macro-F1 of
 * each, McNemar's exact test on who is right where, and paired bootstrap 95%
 * intervals of B − A.
 */
export async function compareVersionRows(deps: EvaluationDeps, project: ProjectRow, a: ModelVersionRow, b: ModelVersionRow, signal?: AbortSignal): Promise<Comparison> {
  if (project.multiLabel) throw new ValidationError('comparing versions is for single-label projects (multi-label comparisons are not built yet)');
  const t = evalTruth(deps, project);
  if (t.itemIds.length === 0) throw new ValidationError(`project "${project.name}" has no labelled eval items to compare on`);
  const k = project.labels.length;
  const [pa, pb] = [await predictItems(deps, project, a, t.itemIds, signal), await predictItems(deps, project, b, t.itemIds, signal)];
  // Only items both versions answered count.
  const inB = new Set(pb.itemIds);
  const common = Float64Array.from(Array.from(pa.itemIds).filter((id) => inB.has(id)));
  const classesOf = (p: { itemIds: Float64Array; probs: Float32Array }) => {
    const pred = predictedClasses({ rows: p.itemIds.length, labels: k, data: p.probs });
    const at = new Map<number, number>();
    p.itemIds.forEach((id, i) => at.set(id, pred[i]!));
    return Int32Array.from(common, (id) => at.get(id)!);
  };
  const truth = align(t, common, k, false) as Int32Array;
  const predA = classesOf(pa), predB = classesOf(pb);
  const correct = (pred: Int32Array) => Uint8Array.from(pred, (c, i) => (c === truth[i] ? 1 : 0));
  return {
    a: a.version,
    b: b.version,
    evalItems: common.length,
    mcnemar: mcnemarExact(correct(predA), correct(predB)),
    accuracy: pairedBootstrap(truth, predA, predB, { metric: 'accuracy', resamples: RESAMPLES * 2, seed: SEED, labels: k }),
    macroF1: pairedBootstrap(truth, predA, predB, { metric: 'macroF1', resamples: RESAMPLES * 2, seed: SEED, labels: k }),
  };
}

export async function compareVersions(deps: EvaluationDeps, projectRef: string | number, versionA: number, versionB: number): Promise<Comparison> {
  const project = resolveProject(deps, projectRef);
  return compareVersionRows(deps, project, requireModelVersion(deps, project, versionA), requireModelVersion(deps, project, versionB));
}

/** The latest evaluation of every version, by version (the learning curve's points). */
export function listEvaluations(deps: { db: Db }, projectRef: string | number): Evaluation[] {
  const project = resolveProject(deps as never, projectRef);
  return latestEvaluations(deps.db, project.id).map((r) => toEvaluation(deps.db, r));
}

/**
 * Stabilizing predictions (Bloodgood & Vijay-Shanker 2009): Cohen's kappa between the
 * stop-set predictions of successive evaluated versions; stop is suggested once the
 * mean of the last 3 stays at or above the project's stopThreshold.
 */
export function stoppingSignal(deps: { db: Db }, projectRef: string | number): StoppingSignal {
  const project = resolveProject(deps as never, projectRef);
  const rows = latestEvaluations(deps.db, project.id).filter((r) => r.stopSet);
  const pairs: StoppingSignal['pairs'] = [];
  for (let i = 1; i < rows.length; i++) {
    const prev = rows[i - 1]!.stopSet!, cur = rows[i]!.stopSet!;
    const at = new Map(prev.itemIds.map((id, j) => [id, prev.classes[j]!]));
    const both = cur.itemIds.map((id, j) => [at.get(id), cur.classes[j]!] as const).filter(([a]) => a !== undefined);
    const agreement = predictionAgreement(Int32Array.from(both, ([a]) => a!), Int32Array.from(both, ([, b]) => b));
    pairs.push({
      from: versionNumberOf(deps.db, rows[i - 1]!.modelVersionId) ?? 0,
      to: versionNumberOf(deps.db, rows[i]!.modelVersionId) ?? 0,
      items: both.length,
      agreement: agreement.agreement.value,
      kappa: agreement.kappa.value,
    });
  }
  const threshold = settingsOf(project.settings).stopThreshold;
  const signal = stabilizingPredictions(pairs.map((p) => p.kappa), { threshold, window: 3 });
  return { threshold, window: 3, pairs, stop: signal.stop, ...(signal.since !== undefined ? { since: signal.since } : {}) };
}
