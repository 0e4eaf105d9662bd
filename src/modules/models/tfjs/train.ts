/**
 * Training of the built-in models: seeded initialisation, shuffling and dropout
 * (our RNG drives all three), Adam, L2 on the kernels, class weights, early stopping
 * on a seeded validation slice with the best weights restored, and multi-label
 * outputs (sigmoid + binary cross-entropy). Our own loop, not tf.LayersModel.fit.
 */
import { ValidationError } from '../../../core/errors.js';
import { createRng, shuffleInPlace } from '../../../core/random.js';
import { requireBackend, tf } from './backend.js';
import { asMatrix, isDense, matrixCols, type FeatureInput } from './matrix.js';
import type { SparseRows } from '../featurize/index.js';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, SparseFirstLayer } from './sparse-layer.js';
import {
  disposeBatch,
  forward,
  initialWeights,
  makeModel,
  MODEL_FORMAT,
  tensorLayout,
  MODEL_FORMAT_VERSION,
  uploadRows,
  type BatchInput,
  type ModelSpec,
  type TfModel,
} from './model.js';
import { resolveParams, trainParamsSchema, type TrainParamsInput } from './params.js';

import { batchLossSum, classWeights, evaluate, prepareTargets, splitRows, standardization, uploadTargets, type Targets } from './objective.js';

export type { Targets } from './objective.js';

/** Adam whose step size can be lowered between epochs (same constants as the sparse layer's lazy Adam). */
class Adam extends tf.AdamOptimizer {
  constructor(public lr: number) {
    super(lr, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON);
  }
  setLearningRate(lr: number): void {
    this.lr = lr;
    this.learningRate = lr;
  }
}

export interface EpochInfo {
  epoch: number;
  epochs: number;
  /** Mean training loss of the epoch (weighted, without the L2 term). */
  loss: number;
  /** Adam step size used in this epoch. */
  learningRate: number;
  /** Validation loss (weighted like training) and accuracy, when there is a validation slice. */
  valLoss?: number;
  /** Single-label: share of arg-max hits; multi-label: share of (row, label) cells right at 0.5. */
  valAccuracy?: number;
}

export interface TrainOptions extends TrainParamsInput {
  /** Output column order; targets index into it. */
  labels: readonly string[];
  /** Checked between batches: an aborted signal rejects with its reason. */
  signal?: AbortSignal;
  onEpoch?: (info: EpochInfo) => void;
}

export interface TrainResult {
  model: TfModel;
  history: EpochInfo[];
  /** 1-based epoch whose weights were kept (the last one without a validation slice). */
  bestEpoch: number;
  epochsRun: number;
  stoppedEarly: boolean;
  trainRows: number;
  validationRows: number;
  ms: number;
}

/** Largest first kernel (inputs × width) trained: 2^25 weights = 128 MiB, ×3 with Adam's moments. */
export const MAX_FIRST_LAYER = 2 ** 25;

/** Relative improvement a training loss needs to count as progress when there is no validation slice. */
const TRAIN_LOSS_TOLERANCE = 1e-4;

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Train a softmax (multinomial logistic regression) or MLP classifier.
 * X: rows × d (a bare Float32Array is split by the row count of y), dense or sparse;
 * y: Int32Array class indexes, or (multiLabel) rows × labels 0/1.
 * Same inputs, options and backend → bit-identical weights.
 */
export async function trainModel(X: FeatureInput, y: Targets, opts: TrainOptions): Promise<TrainResult> {
  requireBackend();
  const t0 = performance.now();
  const { labels, signal, onEpoch, ...rest } = opts;
  const parsed = trainParamsSchema.safeParse(rest);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'options', message: i.message }));
    throw new ValidationError(`invalid training options: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
  }
  const params = resolveParams(parsed.data);
  if (!Array.isArray(labels) || labels.length < 1 || new Set(labels).size !== labels.length || labels.some((l) => typeof l !== 'string')) {
    throw new ValidationError('labels must be distinct strings');
  }
  if (!params.multiLabel && labels.length < 2) throw new ValidationError('a single-label model needs at least 2 labels');
  const multiLabel = params.multiLabel;
  const t = prepareTargets(y, labels.length, multiLabel);
  if (t.n < 1) throw new ValidationError('no training rows');
  const x = asMatrix(X, t.n);
  if (x.rows !== t.n) throw new ValidationError(`X has ${x.rows} rows but y has ${t.n}`);

  const rng = createRng(params.seed);
  const { train, val } = splitRows(t, multiLabel, params.validationFraction, rng);
  const weightsOf = classWeights(t, train, params.classWeights, multiLabel);
  const spec: ModelSpec = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    kind: params.kind,
    inputDim: matrixCols(x),
    labels: [...labels],
    multiLabel,
    hidden: [...params.hidden],
    standardize: params.standardize,
    params,
  };
  const init = initialWeights(spec, rng, params.standardize ? standardization(x, train) : undefined);
  const shapes = tensorLayout(spec).map((s) => s.shape);
  const first = spec.standardize ? 2 : 0; // index of the first kernel
  const firstSize = shapes[first]![0]! * shapes[first]![1]!;
  if (firstSize > MAX_FIRST_LAYER) {
    throw new ValidationError(
      `the first layer would hold ${spec.inputDim} × ${shapes[first]![1]} = ${firstSize} weights (max ${MAX_FIRST_LAYER}): use a smaller featurizer dimension or hidden width`,
    );
  }
  // Sparse inputs: the first kernel lives on the JS side (lazy Adam); a placeholder holds its slot.
  const sparseLayer = isDense(x) ? null : new SparseFirstLayer(shapes[first]![0]!, shapes[first]![1]!, init[first]!);
  const trainable = (i: number): boolean => i >= first && !(sparseLayer && i === first);
  const vars: tf.Tensor[] = init.map((w, i) => {
    if (sparseLayer && i === first) return tf.scalar(0);
    const value = tf.tensor(w, shapes[i]!);
    if (!trainable(i)) return value;
    const v = tf.variable(value, true);
    value.dispose();
    return v;
  });
  const kernels = vars.filter((_, i) => trainable(i) && shapes[i]!.length === 2);
  const varList = vars.filter((_, i) => trainable(i)) as tf.Variable[];
  const optimizer = new Adam(params.learningRate);
  const lrPatience = Math.ceil(params.patience / 2);
  const l2 = params.l2;
  const width = shapes[first]![1]!;
  const firstLayer = sparseLayer ? (rows: ArrayLike<number>) => sparseLayer.forward(x as SparseRows, rows) : undefined;

  const history: EpochInfo[] = [];
  let best: tf.Tensor[] | null = null;
  let bestFirst: Float32Array | null = null;
  let bestLoss = Infinity, bestEpoch = 0, sinceBest = 0, epochsRun = 0, stoppedEarly = false;
  const order = train.slice();
  const dispose = (): void => {
    if (best) tf.dispose(best);
    tf.dispose(vars);
    optimizer.dispose();
  };
  try {
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      shuffleInPlace(order, rng);
      let lossSum = 0;
      for (let s = 0; s < order.length; s += params.batchSize) {
        if (signal?.aborted) throw signal.reason ?? new Error('aborted');
        const rows = order.subarray(s, Math.min(order.length, s + params.batchSize));
        const training = { dropoutSeed: rng.int(2 ** 31) };
        let dataLoss: tf.Scalar | undefined;
        const objective = (batch: BatchInput, tg: { y: tf.Tensor2D; w: tf.Tensor }): tf.Scalar => {
          const logits = forward(spec, vars, batch, training);
          const d = tf.div(batchLossSum(logits, tg.y, tg.w, multiLabel), rows.length) as tf.Scalar;
          dataLoss = tf.keep(d);
          if (l2 === 0 || kernels.length === 0) return d.clone();
          return tf.add(d, tf.mul(l2, tf.addN(kernels.map((k) => tf.sum(tf.square(k)))))) as tf.Scalar;
        };
        if (sparseLayer) {
          const z = sparseLayer.forward(x as SparseRows, rows);
          const dz = tf.tidy(() => {
            const batch: BatchInput = { kind: 'product', rows: rows.length, z: tf.tensor2d(z, [rows.length, width]) };
            const tg = uploadTargets(t, rows, weightsOf, multiLabel);
            const { grads } = tf.valueAndGrads((...args: tf.Tensor[]) => objective({ ...batch, z: args[0] as tf.Tensor2D }, tg))([batch.z, ...varList]);
            if (varList.length) optimizer.applyGradients(varList.map((v, i) => ({ name: v.name, tensor: grads[i + 1]! })));
            return grads[0]!.dataSync() as Float32Array;
          });
          sparseLayer.update(x as SparseRows, rows, dz, optimizer.lr, l2);
        } else {
          tf.tidy(() => {
            const batch = uploadRows(x, rows);
            const tg = uploadTargets(t, rows, weightsOf, multiLabel);
            optimizer.minimize(() => objective(batch, tg), false, varList);
            disposeBatch(batch);
          });
        }
        if (dataLoss) {
          lossSum += (dataLoss as tf.Scalar).dataSync()[0]! * rows.length;
          (dataLoss as tf.Scalar).dispose();
        }
      }
      epochsRun = epoch;
      const info: EpochInfo = { epoch, epochs: params.epochs, loss: lossSum / order.length, learningRate: optimizer.lr };
      let improved: boolean;
      if (val.length > 0) {
        const ev = evaluate({ spec, weights: vars }, x, val, t, weightsOf, multiLabel, firstLayer);
        info.valLoss = ev.loss;
        info.valAccuracy = ev.accuracy;
        improved = ev.loss < bestLoss;
        if (improved) {
          bestLoss = ev.loss;
          bestEpoch = epoch;
          if (best) tf.dispose(best);
          best = vars.map((v) => tf.clone(v));
          if (sparseLayer) bestFirst = sparseLayer.w.slice();
        }
      } else {
        improved = info.loss < bestLoss * (1 - TRAIN_LOSS_TOLERANCE);
        if (improved) bestLoss = info.loss;
        bestEpoch = epoch;
      }
      sinceBest = improved ? 0 : sinceBest + 1;
      history.push(info);
      onEpoch?.(info);
      if (sinceBest >= params.patience) {
        stoppedEarly = epoch < params.epochs;
        break;
      }
      if (params.lrSchedule === 'plateau' && sinceBest > 0 && sinceBest % lrPatience === 0) optimizer.setLearningRate(optimizer.lr / 2);
      await tick();
    }
  } catch (e) {
    dispose();
    throw e;
  }
  const finalWeights = (best ?? vars).map((v, i) =>
    sparseLayer && i === first ? tf.tensor2d(bestFirst ?? sparseLayer.w, [sparseLayer.d, sparseLayer.h]) : tf.clone(v),
  );
  dispose();
  return {
    model: makeModel(spec, finalWeights),
    history,
    bestEpoch,
    epochsRun,
    stoppedEarly,
    trainRows: train.length,
    validationRows: val.length,
    ms: performance.now() - t0,
  };
}
