/**
 * The loop: when labels arrive (every N new pool labels), on a schedule, or on
 * demand, train a challenger, evaluate it on the eval items, compare it with the
 * champion, apply the promotion policy, and after a promotion re-score the pool with
 * the new champion and select the next query batch with it. One retrain per project
 * at a time: triggers that fire meanwhile coalesce onto the running one.
 */
import { DomainError, errorMessage } from '../../core/errors.js';
import { parseOrThrow } from '../../core/validation.js';
import type { ModelVersionRow } from '../../db/schema/models.js';
import type { JobContext, JobRunner } from '../jobs/index.js';
import { championVersionId, findModelVersionById, insertPromotion, latestTrainedVersion, versionNumberOf } from '../models/index.js';
import { resolveProject, settingsOf } from '../projects/index.js';
import { createQueryBatch } from '../queue/index.js';
import { createScoringRun, runScoringJob } from '../scoring/index.js';
import { createTrainingRun, findTrainingRun, runTrainingJob } from '../training/index.js';
import { newPoolLabels } from './evaluation.repo.js';
import { retrainSchema, type Comparison, type Evaluation, type RetrainResult } from './evaluation.schemas.js';
import { compareVersionRows, evaluateVersionRow, type EvaluationDeps } from './evaluation.service.js';

export const RETRAIN_JOB = 'retrain';

export interface LoopDeps extends EvaluationDeps {
  runner: JobRunner;
}

/** Pool labels that arrived after the newest trained version's snapshot. */
export function labelsSinceLastTraining(deps: LoopDeps, projectId: number): { newLabels: number; lastVersion: ModelVersionRow | undefined } {
  const last = latestTrainedVersion(deps.db, projectId);
  const after = typeof last?.trainingSnapshot?.lastAnnotationId === 'number' ? last.trainingSnapshot.lastAnnotationId : 0;
  return { newLabels: newPoolLabels(deps.db, projectId, after), lastVersion: last };
}

function metricValue(e: Evaluation | null, key: string): number | null {
  const m = e?.metrics[key] as { value?: number | null } | undefined;
  return m?.value ?? null;
}

/** The decision of a promotion policy, with the reason a person would want to read. */
export function decidePromotion(policy: 'auto' | 'always' | 'never', champion: number | null, comparison: Comparison | null): { promote: boolean; reason: string } {
  if (policy === 'never') return { promote: false, reason: 'promotion policy is never' };
  if (policy === 'always') return { promote: true, reason: 'promotion policy is always' };
  if (champion === null) return { promote: true, reason: 'first model: nothing to beat' };
  if (!comparison) return { promote: false, reason: 'no eval labels to compare on: the champion stays' };
  const ci = comparison.macroF1.ci;
  if (ci && ci[0] > 0) return { promote: true, reason: `macro-F1 +${comparison.macroF1.difference!.toFixed(4)}, 95% interval [${ci[0].toFixed(4)}, ${ci[1].toFixed(4)}] above 0` };
  return { promote: false, reason: ci ? `macro-F1 interval [${ci[0].toFixed(4)}, ${ci[1].toFixed(4)}] does not lie above 0` : 'macro-F1 difference undefined' };
}

/** One full cycle, inside a job (its progress, signal and id are the cycle's). */
export async function retrainCycle(deps: LoopDeps, ctx: JobContext, projectId: number, body: unknown): Promise<RetrainResult> {
  const input = parseOrThrow(retrainSchema, body ?? {}, 'retrain');
  const project = resolveProject(deps, projectId);
  const s = settingsOf(project.settings);
  const { newLabels, lastVersion } = labelsSinceLastTraining(deps, project.id);
  const champion0 = championVersionId(deps.db, project.id);
  const nothing = (reason: string): RetrainResult => ({
    status: 'nothing-new', modelVersion: lastVersion?.version ?? null, trainingLabels: null, newLabels, evaluation: null, comparison: null,
    promoted: false, champion: versionNumberOf(deps.db, champion0), reason, scoringRun: null, queryBatch: null,
  });
  // minNewLabels 0 forces a retrain (e.g. after changing the model kind).
  if (newLabels < input.minNewLabels || (input.minNewLabels > 0 && newLabels === 0)) {
    return nothing(`${newLabels} new pool label(s) since the last trained version; ${Math.max(1, input.minNewLabels)} needed`);
  }

  const run = createTrainingRun(deps, project.id, { kind: s.retrainKind, seed: (lastVersion?.version ?? 0) + 1 });
  await runTrainingJob(deps, { ...ctx, params: { trainingRunId: run.id } });
  const challenger = findModelVersionById(deps.db, findTrainingRun(deps.db, run.id)!.modelVersionId!)!;

  let evaluation: Evaluation | null = null;
  let comparison: Comparison | null = null;
  let evalNote = '';
  try {
    evaluation = await evaluateVersionRow(deps, project, challenger, ctx.signal);
    const champion = champion0 !== null ? findModelVersionById(deps.db, champion0) : undefined;
    if (champion && !project.multiLabel) comparison = await compareVersionRows(deps, project, champion, challenger, ctx.signal);
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    evalNote = `; not evaluated: ${e.message}`;
  }
  const policy = input.promote ?? s.promotionPolicy;
  const decision = decidePromotion(policy, champion0, comparison);
  if (project.multiLabel && champion0 !== null && policy === 'auto') decision.reason = 'multi-label versions are not compared yet: the champion stays (promote with --promote always)';
  insertPromotion(deps.db, {
    projectId: project.id, challengerVersionId: challenger.id, championVersionId: champion0, decision: decision.promote ? 'promoted' : 'kept', policy,
    details: { reason: decision.reason, comparison, evaluationId: evaluation?.id ?? null }, createdAt: deps.clock.now(),
  });

  let scoringRun: number | null = null;
  let queryBatch: number | null = null;
  let followUp = '';
  if (decision.promote) {
    const sr = createScoringRun(deps, project.id, { modelVersion: challenger.version });
    await runScoringJob(deps, { ...ctx, params: { scoringRunId: sr.id } });
    scoringRun = sr.id;
    if (s.loopBatchSize > 0) {
      try {
        queryBatch = (await createQueryBatch(deps, project.id, { strategy: s.loopStrategy, size: s.loopBatchSize, seed: challenger.version })).id;
      } catch (e) {
        followUp = `; no query batch: ${errorMessage(e)}`;
      }
    }
  }
  const champion = championVersionId(deps.db, project.id);
  return {
    status: 'trained',
    modelVersion: challenger.version,
    trainingLabels: typeof challenger.trainingSnapshot?.labelCount === 'number' ? challenger.trainingSnapshot.labelCount : null,
    newLabels,
    evaluation: evaluation ? { accuracy: metricValue(evaluation, 'accuracy'), macroF1: metricValue(evaluation, 'macroF1'), evalItems: evaluation.evalItems } : null,
    comparison,
    promoted: decision.promote,
    champion: versionNumberOf(deps.db, champion),
    reason: decision.reason + evalNote + followUp,
    scoringRun,
    queryBatch,
  };
}

/** Queues a retrain unless one is already queued or running for the project (then returns that job's id). */
export function requestRetrain(deps: LoopDeps, projectId: number, params: Record<string, unknown>): { jobId: number; coalesced: boolean } {
  const active = deps.runner.activeJob(RETRAIN_JOB, projectId);
  if (active) return { jobId: active.id, coalesced: true };
  return { jobId: deps.runner.enqueue(RETRAIN_JOB, projectId, params).id, coalesced: false };
}

/** The label trigger: enough new pool labels since the last trained version → a retrain (coalesced). */
export function maybeRetrainOnLabels(deps: LoopDeps, projectId: number): void {
  const project = resolveProject(deps, projectId);
  const every = settingsOf(project.settings).retrainEveryNewLabels;
  if (every === null) return;
  if (labelsSinceLastTraining(deps, projectId).newLabels >= every) requestRetrain(deps, projectId, { trigger: 'labels', minNewLabels: every });
}

export function registerRetrainJob(runner: JobRunner, deps: LoopDeps): void {
  runner.register(RETRAIN_JOB, {
    run: async (ctx) => {
      const { trigger: _t, ...body } = ctx.params;
      void _t;
      return { ...(await retrainCycle(deps, ctx, deps.runner.get(ctx.jobId).projectId!, body)) };
    },
  });
}
