/**
 * The built-in TF.js models (softmax, mlp) as adapters. A version's artifact is one
 * byte string: "QBA1", u32 LE length of the model bytes (tfjs/serialize.ts), the
 * model bytes, then the fitted featurizer's bytes (featurize/serialize.ts) for text
 * models, or nothing for feature models. One BLOB, one content hash.
 */
import { ModelUnavailableError, ValidationError } from '../../../core/errors.js';
import type { Probabilities } from '../../../core/labels.js';
import { batchRows, checkModelOutput, type ModelAdapter, type ModelBatch } from '../adapter.js';
import { decodeFeaturizer, encodeFeaturizer, featurize, fitTransform, type FeaturizerConfigInput, type FittedFeaturizer } from '../featurize/index.js';
import {
  contentHash,
  initBackend,
  loadModel,
  predictProba,
  serializeModel,
  trainModel,
  type EpochInfo,
  type TrainParamsInput,
  type TfModel,
  type Targets,
} from '../tfjs/index.js';

const MAGIC = [0x51, 0x42, 0x41, 0x31]; // "QBA1"

export interface BuiltinArtifact {
  model: Uint8Array;
  featurizer: Uint8Array | null;
}

export function packBuiltinArtifact(a: BuiltinArtifact): Uint8Array {
  const f = a.featurizer ?? new Uint8Array(0);
  const out = new Uint8Array(8 + a.model.length + f.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, a.model.length, true);
  out.set(a.model, 8);
  out.set(f, 8 + a.model.length);
  return out;
}

export function unpackBuiltinArtifact(bytes: Uint8Array): BuiltinArtifact {
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new ValidationError('not a built-in model artifact (bad magic)');
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + len > bytes.length) throw new ValidationError('built-in model artifact truncated');
  const rest = bytes.subarray(8 + len);
  return { model: bytes.subarray(8, 8 + len), featurizer: rest.length > 0 ? rest : null };
}

function textsOf(batch: ModelBatch): string[] {
  return batch.texts.map((t, i) => {
    if (typeof t !== 'string') throw new ValidationError(`item ${batch.ids[i]} has no text, and this model reads text`);
    return t;
  });
}

function featuresOf(batch: ModelBatch, rows: number, dim: number): Float32Array {
  if (!batch.features) throw new ValidationError(`these items carry no features, and this model reads ${dim} features`);
  if (batch.featureDim !== dim) throw new ValidationError(`the model reads ${dim} features, the items carry ${batch.featureDim}`);
  if (rows === 0) return new Float32Array(0);
  return batch.features;
}

class BuiltinAdapter implements ModelAdapter {
  readonly kind;
  readonly labels;
  readonly multiLabel;
  readonly capabilities;
  private closed = false;

  constructor(
    private readonly model: TfModel,
    private readonly featurizer: FittedFeaturizer | null,
  ) {
    this.kind = model.spec.kind;
    this.labels = model.spec.labels;
    this.multiLabel = model.spec.multiLabel;
    this.capabilities = { trainable: true, runsInWorker: true, maxBatchSize: 65_536, input: featurizer ? 'text' : 'features' } as const;
  }

  async predictProba(batch: ModelBatch, ctx: { signal?: AbortSignal } = {}): Promise<Probabilities> {
    if (this.closed) throw new ModelUnavailableError(`${this.kind} model: adapter disposed`);
    const rows = batchRows(batch);
    const k = this.labels.length;
    if (rows === 0) return { rows: 0, labels: k, data: new Float32Array(0) };
    const x = this.featurizer
      ? featurize(textsOf(batch), this.featurizer)
      : { rows, cols: this.model.spec.inputDim, data: featuresOf(batch, rows, this.model.spec.inputDim) };
    const p = predictProba(this.model, x, ctx.signal ? { signal: ctx.signal } : {});
    return checkModelOutput(p, rows, k, this.multiLabel, `${this.kind} model`);
  }

  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.model.weights) w.dispose();
  }
}

export async function createBuiltinAdapter(artifact: Uint8Array): Promise<ModelAdapter> {
  await initBackend();
  const a = unpackBuiltinArtifact(artifact);
  const featurizer = a.featurizer ? decodeFeaturizer(a.featurizer) : null;
  return new BuiltinAdapter(loadModel(a.model), featurizer);
}

export interface BuiltinTrainInput {
  labels: readonly string[];
  /** Text models: the training texts (a featurizer is fitted on them). */
  texts?: readonly string[];
  /** Feature models: rows × featureDim. */
  features?: Float32Array;
  targets: Targets;
  params: TrainParamsInput;
  featurizer?: FeaturizerConfigInput;
  signal?: AbortSignal;
  onEpoch?: (info: EpochInfo) => void;
}

export interface BuiltinTrainOutput {
  artifact: Uint8Array;
  artifactHash: string;
  report: {
    epochsRun: number;
    bestEpoch: number;
    stoppedEarly: boolean;
    trainRows: number;
    validationRows: number;
    validationAccuracy: number | null;
    ms: number;
    inputDim: number;
  };
}

/** Train one built-in model and pack it as a version artifact. */
export async function trainBuiltin(input: BuiltinTrainInput): Promise<BuiltinTrainOutput> {
  await initBackend();
  let fitted: FittedFeaturizer | null = null;
  let X;
  if (input.texts) {
    const ft = fitTransform(input.texts, input.featurizer ?? {});
    fitted = ft.fitted;
    X = ft.features;
  } else if (input.features) X = input.features;
  else throw new ValidationError('training needs texts or features');
  const result = await trainModel(X, input.targets, {
    ...input.params,
    labels: input.labels,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.onEpoch ? { onEpoch: input.onEpoch } : {}),
  });
  try {
    const artifact = packBuiltinArtifact({ model: serializeModel(result.model), featurizer: fitted ? encodeFeaturizer(fitted) : null });
    const best = result.history[result.bestEpoch - 1];
    return {
      artifact,
      artifactHash: contentHash(artifact),
      report: {
        epochsRun: result.epochsRun,
        bestEpoch: result.bestEpoch,
        stoppedEarly: result.stoppedEarly,
        trainRows: result.trainRows,
        validationRows: result.validationRows,
        validationAccuracy: best?.valAccuracy ?? null,
        ms: Math.round(result.ms),
        inputDim: result.model.spec.inputDim,
      },
    };
  } finally {
    for (const w of result.model.weights) w.dispose();
  }
}
