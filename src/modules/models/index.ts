/**
 * Models (issue 3): the adapter contract and its kinds, model versions, and the
 * worker pool that runs CPU-bound model work.
 */
export * from './adapter.js';
export * from './models.schemas.js';
export { checkVersionLabels, getModelVersion, listModels, registerModel, requireModelVersion, sha256, storeVersion, toModelVersion, type ModelsDeps } from './models.service.js';
export { championVersionId, findModelVersionById, versionNumberOf, insertPromotion, latestTrainedVersion, listPromotionRows } from './models.repo.js';
export { ModelWorkers, modelThreadsFor, MODEL_WORKER_FILE, SELECT_WORKER_FILE } from './model-workers.js';
export { createAdapter, runsInWorker } from './adapters/index.js';
export { readVersionSpec, type VersionSpec } from './version-spec.repo.js';
export type { PredictedItems, PredictTask, ScoredSlice, ScoreTask, TrainedModel, TrainTask } from './worker-tasks.js';
