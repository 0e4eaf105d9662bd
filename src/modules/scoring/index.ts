export * from './scoring.schemas.js';
export {
  currentPrediction,
  currentScoringRunId,
  getScoringRun,
  listScoringRuns,
  registerScoringJob,
  runScoringJob,
  scoreNow,
  SCORING_JOB,
  startScoring,
  type ScoringDeps,
} from './scoring.service.js';
export { columnMapFor, summarize, toProjectOrder, type RowSummaries } from './summaries.js';
