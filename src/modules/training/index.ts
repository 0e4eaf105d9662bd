export * from './training.schemas.js';
export { findTrainingRun } from './training.repo.js';
export { createTrainingRun, getTrainingRun, listTrainingRuns, registerTrainingJob, runTrainingJob, startTraining, trainingSet, trainNow, TRAINING_JOB, type TrainingDeps, type TrainingSet } from './training.service.js';
