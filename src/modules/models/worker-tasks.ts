/** The messages between the main thread and workers/model.worker.ts. */
import type { BuiltinTrainOutput } from './adapters/index.js';
import type { FeaturizerConfigInput } from './featurize/index.js';
import type { TrainParamsInput } from './tfjs/index.js';

export interface ScoreTask {
  op: 'score';
  dbPath: string;
  projectId: number;
  versionId: number;
  fromId: number;
  toId: number;
  featureDim: number | null;
  /** Model column j → project column columnMap[j]. */
  columnMap: Int32Array;
  projectLabels: number;
}

export interface ScoredSlice {
  rows: number;
  skipped: number;
  itemIds: Float64Array;
  /** rows × projectLabels, project label order. */
  probs: Float32Array;
  label: Int32Array;
  maxProb: Float32Array;
  margin: Float32Array;
  entropy: Float32Array;
}

export interface TrainTask {
  op: 'train';
  dbPath: string;
  projectId: number;
  /** Distinct items used for training. */
  itemIds: Float64Array;
  /** Training row → index into itemIds (an item labelled twice gives two rows). */
  rowItem: Int32Array;
  /** Class per row, or rows × labels multi-hot for multi-label. */
  targets: Int32Array | Uint8Array;
  labels: string[];
  input: 'features' | 'text';
  featureDim: number | null;
  params: TrainParamsInput;
  featurizer?: FeaturizerConfigInput;
}

export type TrainedModel = BuiltinTrainOutput & { droppedRows: number };



/** Which TF.js backend a worker thread selected (for /health and `quorum doctor`). */
export interface BackendTask {
  op: 'backend';
}

/** Predictions for chosen items, returned rather than stored (evaluation, stop sets). */
export interface PredictTask {
  op: 'predict';
  dbPath: string;
  projectId: number;
  versionId: number;
  /** Item ids in any order; items the model cannot read (no features / text) are left out. */
  itemIds: Float64Array;
  featureDim: number | null;
  columnMap: Int32Array;
  projectLabels: number;
}

export interface PredictedItems {
  itemIds: Float64Array;
  /** rows × projectLabels, project label order. */
  probs: Float32Array;
}
