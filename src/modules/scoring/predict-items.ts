/**
 * Predictions for a chosen set of items, returned rather than stored: evaluation on
 * the eval split and the stop set. CPU models run in the model workers; remote ones
 * from this thread, like scoring runs.
 */
import type { Db } from '../../db/index.js';
import type { ModelVersionRow } from '../../db/schema/models.js';
import type { ProjectRow } from '../../db/schema/projects.js';
import { createAdapter, runsInWorker, type ModelWorkers, type PredictedItems, type PredictTask } from '../models/index.js';
import { readItemsById } from './item-batches.repo.js';
import { columnMapFor, toProjectOrder } from './summaries.js';

export interface PredictDeps {
  db: Db;
  models: ModelWorkers;
  config: { dbPath: string };
}

export async function predictItems(deps: PredictDeps, project: ProjectRow, version: ModelVersionRow, itemIds: Float64Array, signal?: AbortSignal): Promise<PredictedItems> {
  const columnMap = columnMapFor(version.labels, project.labels);
  if (runsInWorker(version.kind)) {
    const task: PredictTask = { op: 'predict', dbPath: deps.config.dbPath, projectId: project.id, versionId: version.id, itemIds, featureDim: project.featureDim, columnMap, projectLabels: project.labels.length };
    return deps.models.run<PredictedItems>(task, signal ? { signal } : {});
  }
  const adapter = await createAdapter(version);
  try {
    const read = readItemsById(deps.db.$client, project.id, itemIds, { input: 'all', featureDim: project.featureDim });
    const p = await adapter.predictProba(read.batch, signal ? { signal } : {});
    return { itemIds: read.itemIds, probs: toProjectOrder(p, columnMap, project.labels.length) };
  } finally {
    await adapter.dispose();
  }
}
