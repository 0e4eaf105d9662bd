/**
 * One call that evaluates a model version on labelled evaluation rows and
 * returns every metric as one plain JSON-able object (validating the input
 * once and predicting once).
 */
import type { Probabilities } from '../../../core/labels.js';
import { aurocOf } from './auroc.js';
import {
  accuracyOf,
  confusionCounts,
  macroF1Of,
  perClassFromConfusion,
  toConfusion,
  weightedF1Of,
} from './classification.js';
import { argmax, checkMultiLabel, checkSingleLabel, invalid, NO_ROWS, undefinedMetric } from './input.js';
import {
  hammingLossOf,
  macroF1OfTally,
  microF1Of,
  multiLabelTally,
  perLabelOf,
  subsetAccuracyOf,
  thresholdOption,
  type MultiLabelOptions,
} from './multilabel.js';
import { brierScoreOf, calibrationOf, logLossOf, type CalibrationOptions } from './probabilistic.js';
import type { MultiLabelEvaluation, SingleLabelEvaluation } from './types.js';

/**
 * Every single-label metric of `p` against `truth`: accuracy, macro-F1 (over
 * all k labels), weighted-F1, log loss, Brier score, ECE with its reliability
 * table (`options.bins`, default 15), one-vs-rest AUROC per class and macro,
 * per-class precision / recall / F1 / support, and the confusion matrix.
 * Each piece follows the definition documented on its own function
 * (`accuracy`, `macroF1`, `weightedF1`, `logLoss`, `brierScore`,
 * `expectedCalibrationError`, `aurocOneVsRest`, `perClassMetrics`,
 * `confusionMatrix`); the result survives `JSON.stringify` unchanged (no
 * NaN, no typed arrays).
 *
 * @example
 * evaluateSingleLabel(Int32Array.of(0, 1), { rows: 2, labels: 2, data: Float32Array.of(.8, .2, .3, .7) })
 * // → { task: 'single-label', rows: 2, labels: 2, accuracy: { value: 1 }, macroF1: { value: 1 }, …,
 * //     logLoss: { value: −(ln .8 + ln .7)/2 ≈ 0.2899 }, brier: { value: (0.08 + 0.18)/2 = 0.13 }, … }
 * @throws ValidationError on malformed input (see types.ts).
 */
export function evaluateSingleLabel(
  truth: Int32Array,
  p: Probabilities,
  options: CalibrationOptions = {},
): SingleLabelEvaluation {
  const m = options.bins ?? 15;
  if (!Number.isInteger(m) || m < 1) throw invalid('options.bins', `must be a positive integer, got ${String(m)}`);
  const { n, k } = checkSingleLabel(truth, p);
  const pred = argmax(p);
  const cm = confusionCounts(truth, pred, n, k);
  const perClass = perClassFromConfusion(cm, k);
  return {
    task: 'single-label',
    rows: n,
    labels: k,
    accuracy: accuracyOf(truth, pred, n),
    macroF1: n === 0 ? undefinedMetric(NO_ROWS) : macroF1Of(perClass),
    weightedF1: n === 0 ? undefinedMetric(NO_ROWS) : weightedF1Of(perClass),
    logLoss: logLossOf(truth, p, n, k),
    brier: brierScoreOf(truth, p, n, k),
    ece: calibrationOf(truth, p, pred, n, k, m),
    auroc: aurocOf(truth, p, n, k),
    perClass,
    confusion: toConfusion(cm, k),
  };
}

/**
 * Every multi-label metric of `p` (sigmoid probabilities, rows × k) against
 * `truth` (rows × k of 0/1) at `options.threshold` (default 0.5, predicted
 * when p > threshold): micro-F1, macro-F1, Hamming loss, subset accuracy and
 * the per-label table — definitions on `multiLabelMicroF1`,
 * `multiLabelMacroF1`, `hammingLoss`, `subsetAccuracy`,
 * `multiLabelPerLabel`.
 *
 * @example
 * evaluateMultiLabel(Uint8Array.of(1, 0, 1, 1), { rows: 2, labels: 2, data: Float32Array.of(.9, .2, .4, .7) })
 * // → { microF1: { value: 0.8 }, macroF1: { value: 5/6 }, hammingLoss: { value: 0.25 },
 * //     subsetAccuracy: { value: 0.5 }, perLabel: [...] , threshold: 0.5, rows: 2, labels: 2 }
 * @throws ValidationError on malformed input (see types.ts).
 */
export function evaluateMultiLabel(
  truth: Uint8Array,
  p: Probabilities,
  options: MultiLabelOptions = {},
): MultiLabelEvaluation {
  const threshold = thresholdOption(options);
  const { n, k } = checkMultiLabel(truth, p);
  const t = multiLabelTally(truth, p, n, k, threshold);
  return {
    task: 'multi-label',
    rows: n,
    labels: k,
    threshold,
    microF1: microF1Of(t),
    macroF1: macroF1OfTally(t),
    hammingLoss: hammingLossOf(t),
    subsetAccuracy: subsetAccuracyOf(t),
    perLabel: perLabelOf(t),
  };
}
