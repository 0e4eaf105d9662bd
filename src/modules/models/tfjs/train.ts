/**
 * Training of the built-in models: seeded initialisation, shuffling and dropout
 * (our RNG drives all three), Adam, L2 on the kernels, class weights, early stopping
 * on a seeded validation slice with the best weights restored, and multi-label
 * outputs (sigmoid + binary cross-entropy). Our own loop, not tf.LayersModel.fit.
 */
import { ValidationError } from '../../../core/errors.js';
import { createRng, shuffleInPlace, type Rng } from '../../../core/random.js';
import { requireBackend, tf } from './backend.js';
import { asMatrix, isDense, matrixCols, type FeatureInput, type FeatureMatrix } from './matrix.js';
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
import { logitsInChunks } from './predict.js';

/** Targets: class indexes (single-label), or rows × labels multi-hot 0/1 (multi-label). */
export type Targets = Int32Array | Uint8Array | Float32Array;

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

interface Prepared {
  /** Single-label: class per row; multi-label: row-major multi-hot. */
  y: Int32Array | Float32Array;
  n: number;
  k: number;
}

function prepareTargets(y: Targets, k: number, multiLabel: boolean): Prepared {
  if (multiLabel) {
    if (!(y instanceof Uint8Array || y instanceof Float32Array || y instanceof Int32Array)) throw new ValidationError('y must be a typed array');
    if (y.length % k !== 0) throw new ValidationError(`multi-label y has ${y.length} values, not a multiple of ${k} labels`);
    const out = new Float32Array(y.length);
    for (let i = 0; i < y.length; i++) {
      const v = y[i]!;
      if (v !== 0 && v !== 1) throw new ValidationError(`multi-label y[${i}] is ${v}, not 0 or 1`);
      out[i] = v;
    }
    return { y: out, n: y.length / k, k };
  }
  if (!(y instanceof Int32Array)) throw new ValidationError('single-label y must be an Int32Array of class indexes');
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!(v >= 0 && v < k)) throw new ValidationError(`y[${i}] is ${v}, not a label index in [0, ${k})`, [{ field: `y[${i}]`, message: 'label index out of range' }]);
  }
  return { y, n: y.length, k };
}

/** Seeded validation slice: stratified by class for single-label, plain random for multi-label. */
function splitRows(t: Prepared, multiLabel: boolean, fraction: number, rng: Rng): { train: Int32Array; val: Int32Array } {
  const all = new Int32Array(t.n);
  for (let i = 0; i < t.n; i++) all[i] = i;
  shuffleInPlace(all, rng);
  if (fraction <= 0) return { train: all, val: new Int32Array(0) };
  const isVal = new Uint8Array(t.n);
  if (multiLabel) {
    const m = Math.round(fraction * t.n);
    for (let i = 0; i < m; i++) isVal[all[i]!] = 1;
  } else {
    const counts = new Int32Array(t.k);
    for (let i = 0; i < t.n; i++) counts[(t.y as Int32Array)[i]!]!++;
    const want = Array.from(counts, (c) => Math.round(fraction * c));
    for (const r of all) {
      const c = (t.y as Int32Array)[r]!;
      if (want[c]! > 0) {
        want[c]!--;
        isVal[r] = 1;
      }
    }
  }
  const val = all.filter((r) => isVal[r] === 1);
  const train = all.filter((r) => isVal[r] === 0);
  if (train.length === 0) return { train: all, val: new Int32Array(0) };
  return { train, val };
}

/** Per-class weights (single-label) or per-label [positive, negative] weights (multi-label), over `rows`. */
function classWeights(t: Prepared, rows: Int32Array, mode: 'balanced' | 'none', multiLabel: boolean): { pos: Float32Array; neg: Float32Array } {
  const pos = new Float32Array(t.k).fill(1);
  const neg = new Float32Array(t.k).fill(1);
  if (mode === 'none') return { pos, neg };
  const n = rows.length;
  if (multiLabel) {
    for (let j = 0; j < t.k; j++) {
      let p = 0;
      for (const r of rows) p += (t.y as Float32Array)[r * t.k + j]!;
      if (p > 0 && p < n) {
        pos[j] = n / (2 * p);
        neg[j] = n / (2 * (n - p));
      }
    }
    return { pos, neg };
  }
  const counts = new Int32Array(t.k);
  for (const r of rows) counts[(t.y as Int32Array)[r]!]!++;
  const present = counts.filter((c) => c > 0).length;
  for (let j = 0; j < t.k; j++) pos[j] = counts[j]! > 0 ? n / (present * counts[j]!) : 0;
  return { pos, neg };
}

/** Targets and loss weights of some rows, as tensors. */
function uploadTargets(t: Prepared, rows: ArrayLike<number>, w: { pos: Float32Array; neg: Float32Array }, multiLabel: boolean): { y: tf.Tensor2D; w: tf.Tensor } {
  const n = rows.length, k = t.k;
  if (multiLabel) {
    const y = new Float32Array(n * k);
    const ww = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      for (let j = 0; j < k; j++) {
        const v = (t.y as Float32Array)[r * k + j]!;
        y[i * k + j] = v;
        ww[i * k + j] = v ? w.pos[j]! : w.neg[j]!;
      }
    }
    return { y: tf.tensor2d(y, [n, k]), w: tf.tensor2d(ww, [n, k]) };
  }
  const y = new Float32Array(n * k);
  const ww = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = (t.y as Int32Array)[rows[i]!]!;
    y[i * k + c] = 1;
    ww[i] = w.pos[c]!;
  }
  return { y: tf.tensor2d(y, [n, k]), w: tf.tensor1d(ww) };
}

/** Weighted data loss summed over the batch rows (divide by the row count for a mean). */
function batchLossSum(logits: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor, multiLabel: boolean): tf.Scalar {
  if (multiLabel) {
    // Numerically stable BCE with logits: max(x, 0) − x·z + log(1 + e^−|x|).
    const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.sum(tf.mul(bce, w));
  }
  const ce = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1));
  return tf.sum(tf.mul(ce, w));
}

/** Loss and accuracy on held-out rows, from logits computed in chunks (float64 on the JS side). */
function evaluate(
  model: { spec: ModelSpec; weights: readonly tf.Tensor[] },
  x: FeatureMatrix,
  rows: Int32Array,
  t: Prepared,
  w: { pos: Float32Array; neg: Float32Array },
  multiLabel: boolean,
  firstLayer?: (rows: ArrayLike<number>) => Float32Array,
): { loss: number; accuracy: number } {
  const logits = logitsInChunks(model, x, rows, firstLayer);
  const k = t.k;
  let loss = 0, hits = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const o = i * k;
    if (multiLabel) {
      for (let j = 0; j < k; j++) {
        const z = logits[o + j]!, v = (t.y as Float32Array)[r * k + j]!;
        loss += (v ? w.pos[j]! : w.neg[j]!) * (Math.max(z, 0) - z * v + Math.log1p(Math.exp(-Math.abs(z))));
        if (z > 0 === (v === 1)) hits++;
      }
    } else {
      let m = -Infinity, arg = 0;
      for (let j = 0; j < k; j++) if (logits[o + j]! > m) (m = logits[o + j]!), (arg = j);
      let s = 0;
      for (let j = 0; j < k; j++) s += Math.exp(logits[o + j]! - m);
      const c = (t.y as Int32Array)[r]!;
      loss += w.pos[c]! * (Math.log(s) + m - logits[o + c]!);
      if (arg === c) hits++;
    }
  }
  return { loss: loss / rows.length, accuracy: hits / (rows.length * (multiLabel ? k : 1)) };
}

function standardization(x: FeatureMatrix, rows: Int32Array): { mean: Float32Array; invSd: Float32Array } {
  if (!isDense(x)) throw new ValidationError('standardize needs dense features (sparse rows would lose their sparsity)');
  const d = x.cols;
  const mean = new Float64Array(d), sq = new Float64Array(d);
  for (const r of rows) {
    for (let j = 0; j < d; j++) {
      const v = x.data[r * d + j]!;
      mean[j]! += v;
      sq[j]! += v * v;
    }
  }
  const n = rows.length;
  const m32 = new Float32Array(d), inv = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    const mu = mean[j]! / n;
    const sd = Math.sqrt(Math.max(0, sq[j]! / n - mu * mu));
    m32[j] = mu;
    inv[j] = sd > 1e-12 ? 1 / sd : 1;
  }
  return { mean: m32, invSd: inv };
}

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
