/** Evaluation (issue 7): metrics of versions on the eval split, comparisons, promotion, the retrain loop. */
export * from './evaluation.schemas.js';
export { compareVersions, evaluateVersion, listEvaluations, stoppingSignal, STOP_SET_SIZE, type EvaluationDeps } from './evaluation.service.js';
export { decidePromotion, labelsSinceLastTraining, maybeRetrainOnLabels, registerRetrainJob, requestRetrain, retrainCycle, RETRAIN_JOB, type LoopDeps } from './loop.service.js';
export { RetrainScheduler } from './schedule.js';
export { dashboardSchema, type Dashboard } from './dashboard.schemas.js';
export { DASHBOARD_DAYS, projectDashboard } from './dashboard.service.js';
