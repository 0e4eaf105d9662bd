/**
 * Built-in TF.js models (issue 3): backend selection, softmax / MLP training and
 * chunked inference, byte serialisation. No database, no HTTP: the model adapter,
 * training jobs and Piscina workers build on these.
 */
export {
  activeBackend,
  backendInfo,
  BACKENDS,
  initBackend,
  requireBackend,
  tf,
  type BackendAttempt,
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
} from './backend.js';
export { asMatrix, type DenseMatrix, type FeatureInput, type FeatureMatrix } from './matrix.js';
export { MODEL_FORMAT, MODEL_FORMAT_VERSION, tensorLayout, type ModelSpec, type TensorSlot, type TfModel } from './model.js';
export {
  DEFAULT_LEARNING_RATE,
  MODEL_KINDS,
  trainParamsObject,
  trainParamsSchema,
  type ModelKind,
  type TrainParams,
  type TrainParamsInput,
} from './params.js';
export { MAX_CHUNK_GATHER, MAX_CHUNK_INPUT, MAX_CHUNK_ROWS, predictProba, type PredictOptions } from './predict.js';
export { contentHash, loadModel, serializeModel } from './serialize.js';
export { MAX_FIRST_LAYER, trainModel, type EpochInfo, type Targets, type TrainOptions, type TrainResult } from './train.js';
