export * from './training.schemas.js';
export { getTrainingRun, listTrainingRuns, registerTrainingJob, runTrainingJob, startTraining, trainingSet, trainNow, TRAINING_JOB, type TrainingDeps, type TrainingSet } from './training.service.js';
