export * from './scoring.schemas.js';
export {
  currentPrediction,
  currentScoringRunId,
  getScoringRun,
  listScoringRuns,
  registerScoringJob,
  createScoringRun,
  runScoringJob,
  scoreNow,
  SCORING_JOB,
  startScoring,
  type ScoringDeps,
} from './scoring.service.js';
export { findScoringRun } from './scoring.repo.js';
export { columnMapFor, summarize, toProjectOrder, type RowSummaries } from './summaries.js';
export { predictItems, type PredictDeps } from './predict-items.js';
