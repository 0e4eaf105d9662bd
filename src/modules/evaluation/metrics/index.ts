/**
 * Model-evaluation metrics (pure, no I/O): single-label and multi-label
 * metrics of one model version on labelled evaluation rows, comparisons of
 * two versions on the same rows, and the stabilizing-predictions stopping
 * signal. See `types.ts` for the input conventions, the degenerate-input
 * convention (`value: null` + `reason`; zero-division inside precision /
 * recall / F1 → 0 as scikit-learn) and the errors (`ValidationError` naming
 * the field).
 */
export { predictedClasses } from './input.js';
export { accuracy, confusionMatrix, perClassMetrics, macroF1, weightedF1 } from './classification.js';
export {
  logLoss,
  brierScore,
  expectedCalibrationError,
  LOG_LOSS_EPS,
  type CalibrationOptions,
} from './probabilistic.js';
export { aurocOneVsRest, mannWhitneyAuc } from './auroc.js';
export {
  multiLabelMicroF1,
  multiLabelMacroF1,
  multiLabelPerLabel,
  hammingLoss,
  subsetAccuracy,
  type MultiLabelOptions,
} from './multilabel.js';
export { evaluateSingleLabel, evaluateMultiLabel } from './evaluate.js';
export {
  mcnemarExact,
  pairedBootstrap,
  bootstrapInterval,
  type BootstrapIntervalResult,
  type BootstrapMetric,
  type BootstrapOptions,
  type BootstrapResult,
  type McNemarResult,
} from './compare.js';
export {
  predictionAgreement,
  stabilizingPredictions,
  type PredictionAgreement,
  type StabilizingOptions,
  type StabilizingSignal,
} from './stopping.js';
export type {
  AurocResult,
  CalibrationBin,
  CalibrationResult,
  ClassAuroc,
  ClassMetrics,
  ConfusionMatrix,
  MultiLabelEvaluation,
  ScalarMetric,
  SingleLabelEvaluation,
} from './types.js';
