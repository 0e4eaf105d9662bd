/**
 * Scoring runs: one model version over every visible item of a project (pool, eval
 * and gold). Worker-run models read their own id ranges through a read-only
 * connection and send back only probabilities; the main thread writes each slice
 * in its own short transaction. A run's predictions count once it succeeded; a
 * failure or cancellation deletes what it wrote and leaves the previous run current.
 */
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { ConflictError, NotFoundError, errorMessage } from '../../core/errors.js';
import { runInTransaction, type Db } from '../../db/index.js';
import type { ScoringRunRow } from '../../db/schema/models.js';
import type { ProjectRow } from '../../db/schema/projects.js';
import type { Job, JobContext, JobRunner } from '../jobs/index.js';
import { createAdapter, findModelVersionById, runsInWorker, versionNumberOf, requireModelVersion, type ModelAdapter, type ModelWorkers, type ScoredSlice, type ScoreTask } from '../models/index.js';
import { resolveProject } from '../projects/index.js';
import { itemIdRanges, readItemRange } from './item-batches.repo.js';
import {
  currentScoringRunRow,
  deletePredictionsChunk,
  findScoringRun,
  insertPredictions,
  insertScoringRun,
  listScoringRunRows,
  predictionOf,
  setRunStatus,
  updateScoringRun,
  runsBeyondRetention,
  supersededRuns,
  type PredictionSlice,
} from './scoring.repo.js';
import { scoringJobParamsSchema, startScoringSchema, type Prediction, type ScoringRun } from './scoring.schemas.js';
import { columnMapFor, summarize, toProjectOrder } from './summaries.js';
import { parseOrThrow } from '../../core/validation.js';

export interface ScoringDeps {
  db: Db;
  clock: Clock;
  runner: JobRunner;
  models: ModelWorkers;
  config: { dbPath: string };
}

export const SCORING_JOB = 'scoring';
/** Items per worker task: big enough to amortise a task, small enough to keep write transactions short. */
export const SLICE_ITEMS = 4096;
const DELETE_CHUNK = 20_000;

function toScoringRun(db: Db, row: ScoringRunRow, currentId: number | undefined): ScoringRun {
  return {
    id: row.id,
    modelVersion: versionNumberOf(db, row.modelVersionId) ?? 0,
    status: row.status,
    itemCount: row.itemCount,
    jobId: row.jobId,
    error: row.error,
    current: row.id === currentId,
    createdAt: toIso(row.createdAt)!,
    finishedAt: toIso(row.finishedAt),
    prunedAt: toIso(row.prunedAt),
  };
}

export function createScoringRun(deps: ScoringDeps, projectRef: string | number, body: unknown): ScoringRunRow {
  const project = resolveProject(deps, projectRef);
  const input = parseOrThrow(startScoringSchema, body ?? {}, 'scoring run');
  const version = requireModelVersion(deps, project, input.modelVersion);
  return insertScoringRun(deps.db, { projectId: project.id, modelVersionId: version.id, status: 'queued', createdAt: deps.clock.now() });
}

/** Queues a scoring run of a version (the latest when none is named) as a background job (server). */
export function startScoring(deps: ScoringDeps, projectRef: string | number, body: unknown): ScoringRun {
  const run = createScoringRun(deps, projectRef, body);
  const job = deps.runner.enqueue(SCORING_JOB, run.projectId, { scoringRunId: run.id });
  return toScoringRun(deps.db, { ...run, jobId: job.id }, currentScoringRunRow(deps.db, run.projectId)?.id);
}

/** Runs a scoring run now, in this process (CLI); resolves once it ended, whatever the outcome. */
export async function scoreNow(deps: ScoringDeps, projectRef: string | number, body: unknown, onProgress?: (done: number, total: number | null) => void): Promise<{ run: ScoringRun; job: Job }> {
  const run = createScoringRun(deps, projectRef, body);
  const job = await deps.runner.runInline(SCORING_JOB, run.projectId, { scoringRunId: run.id }, onProgress);
  return { run: getScoringRun(deps, run.projectId, run.id), job };
}

export function listScoringRuns(deps: { db: Db }, projectRef: string | number, limit = 50): ScoringRun[] {
  const project = resolveProject(deps as never, projectRef);
  const current = currentScoringRunRow(deps.db, project.id)?.id;
  return listScoringRunRows(deps.db, project.id, limit).map((r) => toScoringRun(deps.db, r, current));
}

export function getScoringRun(deps: { db: Db }, projectRef: string | number, id: number): ScoringRun {
  const project = resolveProject(deps as never, projectRef);
  const row = findScoringRun(deps.db, id);
  if (!row || row.projectId !== project.id) throw new NotFoundError(`scoring run ${id} not found in project "${project.name}"`);
  return toScoringRun(deps.db, row, currentScoringRunRow(deps.db, project.id)?.id);
}

/** The current run's prediction for an item, in the project's label order; null when unscored. */
export function currentPrediction(deps: { db: Db }, project: ProjectRow, itemId: number, runId?: number): Prediction | null {
  const run = runId ?? currentScoringRunRow(deps.db, project.id)?.id;
  if (run === undefined) return null;
  const row = predictionOf(deps.db, run, itemId);
  if (!row) return null;
  const probs = new Float32Array(row.probs.buffer.slice(row.probs.byteOffset, row.probs.byteOffset + row.probs.byteLength));
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    modelVersion: row.version,
    scoringRunId: row.scoringRunId,
    label: project.labels[row.label]!,
    probabilities: Object.fromEntries(project.labels.map((l, i) => [l, round(probs[i] ?? 0)])),
    maxProbability: round(row.maxProb),
    margin: round(row.margin),
    entropy: round(row.entropy),
  };
}

export function currentScoringRunId(deps: { db: Db }, projectId: number): number | undefined {
  return currentScoringRunRow(deps.db, projectId)?.id;
}

function deleteRunPredictions(db: Db, runId: number): void {
  while (runInTransaction(db, () => deletePredictionsChunk(db, runId, DELETE_CHUNK)) > 0);
}

/**
 * The same from a running job, yielding to the event loop between smaller chunks: a
 * re-scored version's 1M superseded predictions took 2.5 s of one synchronous loop.
 */
async function deleteRunPredictionsYielding(db: Db, runId: number): Promise<void> {
  while (runInTransaction(db, () => deletePredictionsChunk(db, runId, SLICE_ITEMS)) > 0) await yieldToEventLoop();
}

/**
 * Predictions of this many recent succeeded runs are kept, besides the current
 * one: each scored version of a 1M-item pool stores ~60 MB, and the loop scores a
 * new version after every promotion. Nothing reads an older run's predictions
 * (evaluations predict afresh, batches and items use the current run).
 */
export const RETAINED_RUNS = 3;

/** Marks a run pruned (it can never become current again), then deletes its predictions. */
async function pruneRun(deps: { db: Db; clock: Clock }, runId: number): Promise<void> {
  updateScoringRun(deps.db, runId, { prunedAt: deps.clock.now() });
  await deleteRunPredictionsYielding(deps.db, runId);
}

/** Job cleanup after a crash: the run failed, its partial predictions go. */
export function cleanupAbandonedScoring(deps: { db: Db; clock: Clock }, params: Record<string, unknown>): void {
  const p = scoringJobParamsSchema.safeParse(params);
  if (!p.success) return;
  const run = findScoringRun(deps.db, p.data.scoringRunId);
  if (!run || run.status === 'succeeded') return;
  setRunStatus(deps.db, run.id, 'failed', deps.clock.now(), run.error ?? 'the process running it stopped');
  deleteRunPredictions(deps.db, run.id);
}

type Ranges = [number, number][];

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function scoreInWorkers(deps: ScoringDeps, ctx: JobContext, run: ScoringRunRow, project: ProjectRow, ranges: Ranges, columnMap: Int32Array, onSlice: (s: PredictionSlice & { skipped: number }) => void): Promise<void> {
  const inFlight: Promise<ScoredSlice>[] = [];
  const depth = deps.models.threads * 2;
  let next = 0;
  const dispatch = () => {
    const [fromId, toId] = ranges[next++]!;
    const task: ScoreTask = {
      op: 'score', dbPath: deps.config.dbPath, projectId: project.id, versionId: run.modelVersionId, fromId, toId,
      featureDim: project.featureDim, columnMap, projectLabels: project.labels.length,
    };
    const slice = deps.models.run<ScoredSlice>(task, { signal: ctx.signal });
    // Awaited in order below; a later slice may fail while the loop waits for an earlier one or yields.
    slice.catch(() => undefined);
    inFlight.push(slice);
  };
  try {
    while (next < ranges.length && inFlight.length < depth) dispatch();
    while (inFlight.length > 0) {
      const slice = await inFlight.shift()!;
      if (next < ranges.length) dispatch();
      onSlice(slice);
      // A slice that finished while the previous one was written resumes this loop as a
      // microtask: yield, so that requests are served between two slices' transactions.
      await yieldToEventLoop();
    }
  } finally {
    // On failure, let the other tasks settle so the pool is idle when the job ends.
    await Promise.allSettled(inFlight);
  }
}

async function scoreOnMainThread(deps: ScoringDeps, ctx: JobContext, adapter: ModelAdapter, project: ProjectRow, ranges: Ranges, columnMap: Int32Array, onSlice: (s: PredictionSlice & { skipped: number }) => void): Promise<void> {
  for (const [fromId, toId] of ranges) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const { itemIds, batch, skipped } = readItemRange(deps.db.$client, project.id, fromId, toId, { input: 'all', featureDim: project.featureDim });
    const p = await adapter.predictProba(batch, { signal: ctx.signal });
    const probs = toProjectOrder(p, columnMap, project.labels.length);
    onSlice({ rows: p.rows, itemIds, probs, skipped, ...summarize(probs, p.rows, project.labels.length, adapter.multiLabel) });
  }
}

/** The job: runs a queued scoring run to the end (or to failure, leaving nothing behind). */
export async function runScoringJob(deps: ScoringDeps, ctx: JobContext): Promise<Record<string, unknown>> {
  const { scoringRunId } = scoringJobParamsSchema.parse(ctx.params);
  const run = findScoringRun(deps.db, scoringRunId);
  if (!run) throw new NotFoundError(`scoring run ${scoringRunId} not found`);
  if (run.status !== 'queued') throw new ConflictError(`scoring run ${run.id} is ${run.status}`);
  const project = resolveProject(deps, run.projectId);
  const version = findModelVersionById(deps.db, run.modelVersionId)!;
  updateScoringRun(deps.db, run.id, { status: 'running', jobId: ctx.jobId });
  const started = performance.now();
  let done = 0, skipped = 0;
  const { ranges, total } = itemIdRanges(deps.db.$client, project.id, SLICE_ITEMS);
  ctx.progress(0, total, 'items');
  const columnMap = columnMapFor(version.labels, project.labels);
  const write = (s: PredictionSlice & { skipped: number }) => {
    runInTransaction(deps.db, () => insertPredictions(deps.db, run.id, s));
    done += s.rows;
    skipped += s.skipped;
    ctx.progress(done + skipped, total, 'items');
  };
  let adapter: ModelAdapter | undefined;
  try {
    if (runsInWorker(version.kind)) await scoreInWorkers(deps, ctx, run, project, ranges, columnMap, write);
    else {
      adapter = await createAdapter(version);
      await scoreOnMainThread(deps, ctx, adapter, project, ranges, columnMap, write);
    }
  } catch (e) {
    const cancelled = ctx.signal.aborted;
    setRunStatus(deps.db, run.id, cancelled ? 'cancelled' : 'failed', deps.clock.now(), errorMessage(e));
    await deleteRunPredictionsYielding(deps.db, run.id);
    throw e;
  } finally {
    await adapter?.dispose();
  }
  setRunStatus(deps.db, run.id, 'succeeded', deps.clock.now(), null, done);
  const finished = findScoringRun(deps.db, run.id)!;
  for (const old of supersededRuns(deps.db, finished)) await pruneRun(deps, old.id);
  const current = currentScoringRunRow(deps.db, project.id)?.id;
  for (const id of runsBeyondRetention(deps.db, project.id, RETAINED_RUNS, [finished.id, ...(current === undefined ? [] : [current])])) await pruneRun(deps, id);
  const seconds = (performance.now() - started) / 1000;
  return { scoringRunId: run.id, modelVersion: version.version, items: done, skipped, seconds: Math.round(seconds * 1000) / 1000, itemsPerSecond: Math.round(done / Math.max(seconds, 1e-9)) };
}

export function registerScoringJob(runner: JobRunner, deps: ScoringDeps): void {
  runner.register(SCORING_JOB, {
    run: (ctx) => runScoringJob(deps, ctx),
    cleanupAbandoned: (job) => cleanupAbandonedScoring(deps, job.params),
  });
}
