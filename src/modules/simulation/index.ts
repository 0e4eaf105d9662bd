/**
 * Simulation (issue 4): backtest query strategies on a labelled dataset without a
 * database — seeded, paired runs of the active-learning loop, learning curves,
 * labels-to-target, AULC and paired intervals, written as JSON, CSV, SVG and HTML.
 */
export { loadDataset, parseDataset, splitByFraction, splitByIds, type Dataset, type InputKind, type Split } from './dataset.js';
export { lbfgs, type LbfgsOptions, type LbfgsResult, type Objective } from './lbfgs.js';
export { DEFAULT_MLP_PARAMS, DEFAULT_WARM_MAX_ITER, MLP_PATIENCE_STEPS, MODELS, mlpPatience, bootstrap, createLearner, releaseData, warmIterations, type Learner, type ModelConfig, type ModelName } from './learner.js';
export {
  accuracy,
  argmaxRows,
  aulc,
  curveBand,
  labelsToTarget,
  macroF1,
  meanSd,
  pairedInterval,
  tQuantile975,
  type CurvePoint,
  type MeanSd,
  type PairedInterval,
} from './metrics.js';
export { prepare, projectSparse, scaleFeatures, SCALINGS, TEXT_EMBEDDING_DIM, type Prepared, type Scaling } from './prepare.js';
export { CSV_HEADER, curvesCsv, learningCurveSvg, niceTicks, reportHtml } from './report.js';
export { evaluationPoints, runSimulationTask, strategySeed, type FullResult, type RunResult, type SimulationTask } from './run.js';
export {
  SIMULATE_WORKER_FILE,
  checkStrategies,
  simulate,
  type SimulationConfig,
  type SimulationHooks,
  type SimulationResults,
} from './simulate.service.js';
export { SoftmaxModel, type SoftmaxOptions } from './softmax.js';
export { formatInterval, formatLabels, RELATIVE_TARGETS, summarize, type StrategySummary } from './summary.js';
export { DEFAULT_BUDGET, SIMULATE_STRATEGIES, UNSUPPORTED, simulateThreads } from './options.js';
