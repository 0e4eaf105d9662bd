/**
 * Query batches: a strategy picks the most informative pool items from the current
 * predictions (or embeddings), in a worker thread; the batch is stored with its
 * strategy, parameters, seed, model version and scoring run, and its items are
 * queued for annotators ahead of the cold-start stream, exploration picks spread
 * evenly through it.
 */
import { randomInt } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { parseOrThrow } from '../../core/validation.js';
import { runInTransaction, type Db } from '../../db/index.js';
import type { ProjectRow } from '../../db/schema/projects.js';
import type { QueryBatchRow } from '../../db/schema/queue.js';
import { SELECT_WORKER_FILE, versionNumberOf, type ModelWorkers } from '../models/index.js';
import { resolveProject, settingsOf } from '../projects/index.js';
import { currentScoringRunId, findScoringRun } from '../scoring/index.js';
import { getStrategy } from '../strategies/index.js';
import { batchItemRows, externalIds, findBatch, insertBatch, insertBatchItem, listBatchRows, setBatchQueued, meanLabelCardinality, pickState } from './batches.repo.js';
import { createBatchSchema, type QueryBatch } from './batches.schemas.js';
import { insertSlot } from './queue.repo.js';
import { wantedAnnotations } from './queue.service.js';
import type { SelectResult, SelectTask } from './selection.js';

export interface BatchDeps {
  db: Db;
  clock: Clock;
  models: ModelWorkers;
  config: { dbPath: string };
}

/** Batch slots rank above cold-start slots (priority 0): 1 + (size − rank) / size ∈ (1, 2]. */
function slotPriority(rank: number, size: number): number {
  return 1 + (size - rank) / size;
}

/** Which per-row inputs the strategy gets; refuses what the project cannot give, naming it. */
function inputsFor(project: ProjectRow, strategy: string, runId: number | undefined): Pick<SelectTask, 'scoringRunId' | 'embeddings'> {
  const def = getStrategy(strategy);
  if (def.needs.committee) {
    throw new ValidationError(`strategy '${strategy}' needs a committee of models, and query batches are made from one scoring run; committee strategies run in \`quorum simulate\``, [{ field: 'strategy', message: 'needs a committee' }]);
  }
  if (def.kind === 'multi-label' && !project.multiLabel) throw new ValidationError(`strategy '${strategy}' is for multi-label projects; "${project.name}" is single-label`, [{ field: 'strategy', message: 'multi-label only' }]);
  if (def.kind === 'uncertainty' && project.multiLabel) throw new ValidationError(`strategy '${strategy}' is for single-label projects; use multilabel-mean-entropy or multilabel-max-entropy`, [{ field: 'strategy', message: 'single-label only' }]);
  if (def.needs.probabilities === 'required' && runId === undefined) {
    throw new ValidationError(`strategy '${strategy}' needs predictions: score the pool first (quorum score ${project.name}, or POST …/scoring-runs)`, [{ field: 'strategy', message: 'no predictions' }]);
  }
  let embeddings: SelectTask['embeddings'] = null;
  if (def.needs.embeddings) {
    // Without features, text is hashed; the worker refuses a pool that has no text either.
    embeddings = project.featureDim !== null ? 'features' : 'text';
  }
  return { scoringRunId: def.needs.probabilities && runId !== undefined ? runId : null, embeddings };
}

function toBatch(row: QueryBatchRow | null, fields: Omit<QueryBatch, 'id' | 'createdAt' | 'modelVersion'> & { modelVersionId: number | null }, db: Db): QueryBatch {
  const { modelVersionId, ...rest } = fields;
  return {
    id: row?.id ?? null,
    ...rest,
    modelVersion: versionNumberOf(db, modelVersionId),
    createdAt: row ? toIso(row.createdAt) : null,
  };
}

/** Selects (in a worker), then stores and queues the batch, or only returns it for a dry run. */
export async function createQueryBatch(deps: BatchDeps, projectRef: string | number, body: unknown, createdBy: number | null = null): Promise<QueryBatch> {
  const project = resolveProject(deps, projectRef);
  const input = parseOrThrow(createBatchSchema, body, 'query batch');
  if (input.strategy === 'stratified' && !input.groupBy) throw new ValidationError("strategy 'stratified' needs groupBy: the meta field to stratify by", [{ field: 'groupBy', message: 'required' }]);
  const runId = currentScoringRunId(deps, project.id);
  const inputs = inputsFor(project, input.strategy, runId);
  const settings = settingsOf(project.settings);
  const seed = input.seed ?? randomInt(2 ** 31 - 1);
  const task: SelectTask = {
    dbPath: deps.config.dbPath, projectId: project.id, overlap: settings.overlap, strategy: input.strategy, k: input.size, seed,
    exploration: input.exploration, options: input.options, groupBy: input.groupBy ?? null, labels: project.labels.length,
    featureDim: project.featureDim, labelCardinality: project.multiLabel ? (meanLabelCardinality(deps.db, project.id) ?? 1) : null, ...inputs,
  };
  const r = await deps.models.run<SelectResult>(task, { filename: SELECT_WORKER_FILE });
  const scoringRunId = inputs.scoringRunId;
  const modelVersionId = scoringRunId !== null ? (findScoringRun(deps.db, scoringRunId)?.modelVersionId ?? null) : null;
  const params = { groupBy: input.groupBy ?? null, options: input.options, candidates: r.candidates, unscored: r.unscored, sampled: r.sampled };
  const ids = externalIds(deps.db, r.itemIds);
  const items = Array.from(r.itemIds, (_, rank) => ({ rank, id: ids[rank]!, score: r.score[rank]!, explore: r.explore[rank] === 1 }));
  const fields = { strategy: input.strategy, size: input.size, picked: items.length, seed, exploration: input.exploration, scoringRunId, modelVersionId, params, items };
  if (input.dryRun) return toBatch(null, { ...fields, queued: 0 }, deps.db);
  const { row, queued } = runInTransaction(deps.db, () => {
    const now = deps.clock.now();
    const row = insertBatch(deps.db, {
      projectId: project.id, strategy: input.strategy, params, seed, size: input.size, picked: items.length,
      exploration: input.exploration, modelVersionId, scoringRunId, createdBy, createdAt: now,
    });
    let queued = 0;
    const exploreCount = items.filter((i) => i.explore).length;
    let e = 0;
    items.forEach((it, rank) => {
      const itemId = r.itemIds[rank]!;
      insertBatchItem(deps.db, row.id, rank, itemId, it.score, it.explore);
      const state = pickState(deps.db, itemId);
      // Queued meanwhile (another batch, the cold-start stream): it keeps its slots.
      if (!state || state.queued) return;
      // Exploration picks are spread evenly through the batch's priorities.
      const at = it.explore ? Math.floor(((e++ + 0.5) * items.length) / exploreCount) : rank;
      const missing = Math.max(0, wantedAnnotations(settings, project.id, state.externalId) - state.have);
      for (let s = 0; s < missing; s++) {
        insertSlot(deps.db, { projectId: project.id, itemId, source: it.explore ? 'explore' : 'batch', priority: slotPriority(at, items.length), status: 'open', now });
        queued++;
      }
    });
    setBatchQueued(deps.db, row.id, { ...params, queued });
    return { row, queued };
  });
  return toBatch(row, { ...fields, queued }, deps.db);
}


function storedBatch(db: Db, row: QueryBatchRow, withItems: boolean): QueryBatch {
  const items = withItems ? batchItemRows(db, row.id).map((i) => ({ ...i, explore: i.explore === 1 })) : [];
  return toBatch(row, {
    strategy: row.strategy, size: row.size, picked: row.picked, seed: row.seed, exploration: row.exploration,
    scoringRunId: row.scoringRunId, modelVersionId: row.modelVersionId, params: row.params, queued: Number(row.params.queued ?? 0), items,
  }, db);
}

export function listQueryBatches(deps: { db: Db }, projectRef: string | number, limit = 50): QueryBatch[] {
  const project = resolveProject(deps as never, projectRef);
  return listBatchRows(deps.db, project.id, limit).map((r) => storedBatch(deps.db, r, false));
}

export function getQueryBatch(deps: { db: Db }, projectRef: string | number, id: number): QueryBatch {
  const project = resolveProject(deps as never, projectRef);
  const row = findBatch(deps.db, id);
  if (!row || row.projectId !== project.id) throw new NotFoundError(`query batch ${id} not found in project "${project.name}"`);
  return storedBatch(deps.db, row, true);
}
