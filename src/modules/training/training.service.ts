/**
 * Training runs: a built-in model (softmax or mlp) trained in a worker thread on the
 * current labels of the project's pool items, stored as a new immutable version
 * with the snapshot of what it learned from (label and item counts, a hash of the
 * annotation ids).
 */
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { ConflictError, NotFoundError, ValidationError, errorMessage } from '../../core/errors.js';
import { parseOrThrow } from '../../core/validation.js';
import { runInTransaction, type Db } from '../../db/index.js';
import type { TrainingRunRow } from '../../db/schema/models.js';
import type { ProjectRow } from '../../db/schema/projects.js';
import type { Job, JobContext, JobRunner } from '../jobs/index.js';
import { sha256, versionNumberOf, storeVersion, type ModelWorkers, type TrainedModel, type TrainTask } from '../models/index.js';
import { resolveProject } from '../projects/index.js';
import { findTrainingRun, insertTrainingRun, listTrainingRunRows, poolTrainingAnnotations, updateTrainingRun, type TrainingAnnotation } from './training.repo.js';
import { startTrainingSchema, trainingJobParamsSchema, type TrainingRequest, type TrainingRun } from './training.schemas.js';

export interface TrainingDeps {
  db: Db;
  clock: Clock;
  runner: JobRunner;
  models: ModelWorkers;
  config: { dbPath: string };
}

export const TRAINING_JOB = 'training';

/** An MLP over hashed text: a narrow first layer and 2^16 buckets keep its first kernel at 4M weights. */
const MLP_TEXT_DEFAULTS = { hidden: [64], dimension: 2 ** 16 };

export function toTrainingRun(db: Db, row: TrainingRunRow): TrainingRun {
  return {
    id: row.id,
    status: row.status,
    kind: row.kind,
    params: row.params,
    modelVersion: versionNumberOf(db, row.modelVersionId),
    jobId: row.jobId,
    error: row.error,
    createdAt: toIso(row.createdAt)!,
    finishedAt: toIso(row.finishedAt),
  };
}

export function createTrainingRun(deps: TrainingDeps, projectRef: string | number, body: unknown): TrainingRunRow {
  const project = resolveProject(deps, projectRef);
  const req = parseOrThrow(startTrainingSchema, body ?? {}, 'training run');
  inputOf(project, req);
  return insertTrainingRun(deps.db, { projectId: project.id, status: 'queued', kind: req.kind, params: req as Record<string, unknown>, createdAt: deps.clock.now() });
}

/** Queues a training run as a background job (server). */
export function startTraining(deps: TrainingDeps, projectRef: string | number, body: unknown): TrainingRun {
  const run = createTrainingRun(deps, projectRef, body);
  const job = deps.runner.enqueue(TRAINING_JOB, run.projectId, { trainingRunId: run.id });
  return toTrainingRun(deps.db, { ...run, jobId: job.id });
}

/** Trains now, in this process (CLI). */
export async function trainNow(deps: TrainingDeps, projectRef: string | number, body: unknown, onProgress?: (done: number, total: number | null) => void): Promise<{ run: TrainingRun; job: Job }> {
  const run = createTrainingRun(deps, projectRef, body);
  const job = await deps.runner.runInline(TRAINING_JOB, run.projectId, { trainingRunId: run.id }, onProgress);
  return { run: toTrainingRun(deps.db, findTrainingRun(deps.db, run.id)!), job };
}

export function listTrainingRuns(deps: { db: Db }, projectRef: string | number, limit = 50): TrainingRun[] {
  const project = resolveProject(deps as never, projectRef);
  return listTrainingRunRows(deps.db, project.id, limit).map((r) => toTrainingRun(deps.db, r));
}

export function getTrainingRun(deps: { db: Db }, projectRef: string | number, id: number): TrainingRun {
  const project = resolveProject(deps as never, projectRef);
  const row = findTrainingRun(deps.db, id);
  if (!row || row.projectId !== project.id) throw new NotFoundError(`training run ${id} not found in project "${project.name}"`);
  return toTrainingRun(deps.db, row);
}

function inputOf(project: ProjectRow, req: TrainingRequest): 'features' | 'text' {
  const input = req.input ?? (project.featureDim !== null ? 'features' : 'text');
  if (input === 'features' && project.featureDim === null) throw new ValidationError(`project "${project.name}" has no features: train on text (input: text)`, [{ field: 'input', message: 'no features' }]);
  return input;
}

export interface TrainingSet {
  itemIds: Float64Array;
  rowItem: Int32Array;
  targets: Int32Array | Uint8Array;
  snapshot: { labelCount: number; itemCount: number; annotationIdsHash: string; lastAnnotationId: number | null };
}

/** Annotations → training rows (one per annotation: an item labelled by three annotators weighs three rows). */
export function trainingSet(project: ProjectRow, annotations: TrainingAnnotation[]): TrainingSet {
  const k = project.labels.length;
  const labelAt = new Map(project.labels.map((l, i) => [l, i]));
  const itemIndex = new Map<number, number>();
  const itemIds: number[] = [];
  const rowItem = new Int32Array(annotations.length);
  const targets = project.multiLabel ? new Uint8Array(annotations.length * k) : new Int32Array(annotations.length);
  annotations.forEach((a, r) => {
    let i = itemIndex.get(a.itemId);
    if (i === undefined) {
      itemIndex.set(a.itemId, (i = itemIds.length));
      itemIds.push(a.itemId);
    }
    rowItem[r] = i;
    const value = JSON.parse(a.value) as string | string[];
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      const j = labelAt.get(v);
      if (j === undefined) throw new ValidationError(`annotation ${a.id} has label "${v}", which is not a label of project "${project.name}"`);
      if (project.multiLabel) targets[r * k + j] = 1;
      else targets[r] = j;
    }
  });
  return {
    itemIds: Float64Array.from(itemIds),
    rowItem,
    targets,
    snapshot: {
      labelCount: annotations.length,
      itemCount: itemIds.length,
      annotationIdsHash: sha256(Buffer.from(annotations.map((a) => a.id).join(','))),
      lastAnnotationId: annotations.at(-1)?.id ?? null,
    },
  };
}

export async function runTrainingJob(deps: TrainingDeps, ctx: JobContext): Promise<Record<string, unknown>> {
  const { trainingRunId } = trainingJobParamsSchema.parse(ctx.params);
  const run = findTrainingRun(deps.db, trainingRunId);
  if (!run) throw new NotFoundError(`training run ${trainingRunId} not found`);
  if (run.status !== 'queued') throw new ConflictError(`training run ${run.id} is ${run.status}`);
  updateTrainingRun(deps.db, run.id, { status: 'running', jobId: ctx.jobId });
  try {
    const project = resolveProject(deps, run.projectId);
    const req = startTrainingSchema.parse(run.params);
    const input = inputOf(project, req);
    const set = trainingSet(project, poolTrainingAnnotations(deps.db, project.id));
    const classes = project.multiLabel ? project.labels.length : new Set(set.targets).size;
    if (set.snapshot.labelCount < 2 || classes < 2) {
      throw new ValidationError(`project "${project.name}" has ${set.snapshot.labelCount} labelled pool items${project.multiLabel ? '' : ` in ${classes} class(es)`}: training needs labels of at least 2 classes`);
    }
    const textMlp = req.kind === 'mlp' && input === 'text';
    const { kind, seed, input: _i, featurizer, ...hyper } = req;
    void _i;
    const params = { kind, seed, multiLabel: project.multiLabel, ...(textMlp && !hyper.hidden ? { hidden: MLP_TEXT_DEFAULTS.hidden } : {}), ...hyper };
    const featurizerConfig = input === 'text' ? { ...(textMlp ? { dimension: MLP_TEXT_DEFAULTS.dimension } : {}), ...featurizer } : undefined;
    ctx.progress(0, 1, 'models');
    const task: TrainTask = {
      op: 'train', dbPath: deps.config.dbPath, projectId: project.id, itemIds: set.itemIds, rowItem: set.rowItem, targets: set.targets,
      labels: project.labels, input, featureDim: project.featureDim, params, ...(featurizerConfig ? { featurizer: featurizerConfig } : {}),
    };
    const trained = await deps.models.run<TrainedModel>(task, { signal: ctx.signal });
    if (trained.droppedRows > 0 && trained.droppedRows === set.snapshot.labelCount) throw new ValidationError(`none of the labelled items has ${input}`);
    const version = runInTransaction(deps.db, () => {
      const v = storeVersion(deps, {
        projectId: project.id, kind, labels: project.labels, multiLabel: project.multiLabel, input,
        config: { kind, ...(featurizerConfig ? { featurizer: featurizerConfig } : {}) },
        artifact: Buffer.from(trained.artifact.buffer, trained.artifact.byteOffset, trained.artifact.byteLength),
        artifactHash: trained.artifactHash, hyperParams: params, seed, trainingRunId: run.id,
        trainingSnapshot: { ...set.snapshot, droppedRows: trained.droppedRows }, trainingReport: trained.report, createdAt: deps.clock.now(),
      });
      updateTrainingRun(deps.db, run.id, { status: 'succeeded', modelVersionId: v.id, finishedAt: deps.clock.now() });
      return v;
    });
    ctx.progress(1, 1, 'models');
    return { trainingRunId: run.id, modelVersion: version.version, kind, input, ...set.snapshot, report: trained.report };
  } catch (e) {
    updateTrainingRun(deps.db, run.id, { status: ctx.signal.aborted ? 'cancelled' : 'failed', error: errorMessage(e), finishedAt: deps.clock.now() });
    throw e;
  }
}

export function registerTrainingJob(runner: JobRunner, deps: TrainingDeps): void {
  runner.register(TRAINING_JOB, {
    run: (ctx) => runTrainingJob(deps, ctx),
    cleanupAbandoned: (job) => {
      const p = trainingJobParamsSchema.safeParse(job.params);
      const run = p.success ? findTrainingRun(deps.db, p.data.trainingRunId) : undefined;
      if (run && (run.status === 'running' || run.status === 'queued')) {
        updateTrainingRun(deps.db, run.id, { status: 'failed', error: 'the process running it stopped', finishedAt: deps.clock.now() });
      }
    },
  });
}
