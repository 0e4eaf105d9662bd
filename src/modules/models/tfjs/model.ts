/**
 * The built-in classifiers as plain tensors plus a small JSON spec of our own
 * (no tf.LayersModel): input → [standardise] → dense(+ReLU, dropout) × hidden → dense → logits.
 * Sparse inputs (featurized text) are never densified: at inference the first layer
 * gathers the rows of W₀ the non-zeros name and scatter-adds them per row; in
 * training that layer runs on the JS side (sparse-layer.ts).
 */
import { ValidationError } from '../../../core/errors.js';
import type { Rng } from '../../../core/random.js';
import { activeBackend, tf } from './backend.js';
import { isDense, type FeatureMatrix } from './matrix.js';
import type { ModelKind, TrainParams } from './params.js';

export const MODEL_FORMAT = 'quorum-tfjs';
export const MODEL_FORMAT_VERSION = 1;

/** Everything needed to rebuild a model besides its weights (stored as JSON). */
export interface ModelSpec {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_FORMAT_VERSION;
  kind: ModelKind;
  /** Number of input columns. */
  inputDim: number;
  /** Output column order (the model version's label order). */
  labels: string[];
  multiLabel: boolean;
  /** Hidden layer widths ([] for softmax); ReLU activations. */
  hidden: number[];
  /** Whether the first two tensors are a per-feature mean and 1/sd applied to dense inputs. */
  standardize: boolean;
  /** The hyper-parameters it was trained with (for the record). */
  params: TrainParams;
}

/** A model in memory: its spec and tensors in {@link tensorLayout} order. Call dispose() when done. */
export interface TfModel {
  readonly spec: ModelSpec;
  readonly weights: readonly tf.Tensor[];
  dispose(): void;
}

export interface TensorSlot {
  name: string;
  shape: number[];
}

/** Names and shapes of a spec's tensors, in storage order. */
export function tensorLayout(spec: Pick<ModelSpec, 'inputDim' | 'labels' | 'hidden' | 'standardize'>): TensorSlot[] {
  const out: TensorSlot[] = [];
  if (spec.standardize) {
    out.push({ name: 'standardize/mean', shape: [spec.inputDim] }, { name: 'standardize/inv_sd', shape: [spec.inputDim] });
  }
  const widths = [spec.inputDim, ...spec.hidden, spec.labels.length];
  for (let l = 0; l + 1 < widths.length; l++) {
    const name = l + 2 === widths.length ? 'output' : `hidden${l}`;
    out.push({ name: `${name}/kernel`, shape: [widths[l]!, widths[l + 1]!] }, { name: `${name}/bias`, shape: [widths[l + 1]!] });
  }
  return out;
}

export function makeModel(spec: ModelSpec, weights: tf.Tensor[]): TfModel {
  let disposed = false;
  return {
    spec,
    weights,
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const w of weights) w.dispose();
    },
  };
}

/**
 * Seeded initial weights (our RNG, not TF.js's): He-uniform for ReLU layers,
 * Glorot-uniform for the output layer, zero biases.
 */
export function initialWeights(spec: ModelSpec, rng: Rng, standardize?: { mean: Float32Array; invSd: Float32Array }): Float32Array[] {
  const out: Float32Array[] = [];
  for (const slot of tensorLayout(spec)) {
    if (slot.name === 'standardize/mean') out.push(standardize!.mean);
    else if (slot.name === 'standardize/inv_sd') out.push(standardize!.invSd);
    else if (slot.name.endsWith('/bias')) out.push(new Float32Array(slot.shape[0]!));
    else {
      const [fanIn, fanOut] = slot.shape as [number, number];
      const limit = slot.name.startsWith('output') ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(6 / fanIn);
      const w = new Float32Array(fanIn * fanOut);
      for (let i = 0; i < w.length; i++) w[i] = (2 * rng.next() - 1) * limit;
      out.push(w);
    }
  }
  return out;
}

/**
 * One batch on the device: a dense tensor, the coordinates of a sparse one, or
 * (`product`) the first layer's product X · W₀ already computed (sparse training
 * computes it on the JS side, see sparse-layer.ts).
 */
export type BatchInput =
  | { kind: 'dense'; rows: number; x: tf.Tensor2D }
  | { kind: 'sparse'; rows: number; cols: tf.Tensor1D; cols2d: tf.Tensor2D; rowIds: tf.Tensor1D; rowIds2d: tf.Tensor2D; vals2d: tf.Tensor2D }
  | { kind: 'product'; rows: number; z: tf.Tensor2D };

/** Upload rows (given order) of a matrix as one batch. Tensors are created in the current scope. */
export function uploadRows(x: FeatureMatrix, rows: ArrayLike<number>): BatchInput {
  const n = rows.length;
  if (isDense(x)) {
    const d = x.cols;
    const buf = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      buf.set(x.data.subarray(r * d, r * d + d), i * d);
    }
    return { kind: 'dense', rows: n, x: tf.tensor2d(buf, [n, d]) };
  }
  let nnz = 0;
  for (let i = 0; i < n; i++) nnz += x.indptr[rows[i]! + 1]! - x.indptr[rows[i]!]!;
  const cols = new Int32Array(nnz);
  const rowIds = new Int32Array(nnz);
  const vals = new Float32Array(nnz);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    const s = x.indptr[r]!, e = x.indptr[r + 1]!;
    cols.set(x.indices.subarray(s, e), o);
    vals.set(x.values.subarray(s, e), o);
    rowIds.fill(i, o, o + e - s);
    o += e - s;
  }
  return sparseBatch(n, cols, rowIds, vals);
}

/** Upload the contiguous rows [start, end) (no copy of dense data on the JS side). */
export function uploadRange(x: FeatureMatrix, start: number, end: number): BatchInput {
  const n = end - start;
  if (isDense(x)) return { kind: 'dense', rows: n, x: tf.tensor2d(x.data.subarray(start * x.cols, end * x.cols), [n, x.cols]) };
  const s = x.indptr[start]!, e = x.indptr[end]!;
  const rowIds = new Int32Array(e - s);
  for (let r = start; r < end; r++) rowIds.fill(r - start, x.indptr[r]! - s, x.indptr[r + 1]! - s);
  return sparseBatch(n, x.indices.slice(s, e), rowIds, x.values.slice(s, e));
}

function sparseBatch(rows: number, cols: Int32Array, rowIds: Int32Array, vals: Float32Array): BatchInput {
  const nnz = cols.length;
  const c = tf.tensor1d(cols, 'int32');
  const r = tf.tensor1d(rowIds, 'int32');
  return {
    kind: 'sparse',
    rows,
    cols: c,
    cols2d: c.reshape([nnz, 1]),
    rowIds: r,
    rowIds2d: r.reshape([nnz, 1]),
    vals2d: tf.tensor2d(vals, [nnz, 1]),
  };
}

export function disposeBatch(b: BatchInput): void {
  if (b.kind === 'dense') b.x.dispose();
  else if (b.kind === 'product') b.z.dispose();
  else tf.dispose([b.cols, b.cols2d, b.rowIds, b.rowIds2d, b.vals2d]);
}

/**
 * Rows `idx` of a matrix. Measured on 89,600 indexes: the wasm GatherV2 kernel costs
 * ~50 ns per value (13 ms for 2 columns, 1 s for 256), its GatherNd ~4 ns (1.1 ms,
 * 80 ms); the cpu backend is the other way round (GatherNd 2–3× slower).
 */
function gatherRows(t: tf.Tensor2D, idx: tf.Tensor1D, idx2d: tf.Tensor2D): tf.Tensor2D {
  return (activeBackend() === 'wasm' ? tf.gatherND(t, idx2d) : tf.gather(t, idx)) as tf.Tensor2D;
}

/** Sparse (rows × d) · W (d × h), inference only: gather the rows of W, weight them, scatter-add per row. */
function sparseMatMul(b: Extract<BatchInput, { kind: 'sparse' }>, w: tf.Tensor2D): tf.Tensor2D {
  const h = w.shape[1];
  if (b.cols.shape[0] === 0) return tf.zeros([b.rows, h]);
  return tf.scatterND(b.rowIds2d, tf.mul(gatherRows(w, b.cols, b.cols2d), b.vals2d), [b.rows, h]) as tf.Tensor2D;
}

/**
 * x · W with a hand-written gradient that multiplies by explicit transposes:
 * on the wasm backend a matMul with transposeA / transposeB (what the built-in
 * gradient uses) is ~10× slower than transpose + plain matMul (measured: xᵀ·dy for
 * 64 × 784 by 64 × 256: 23 ms vs 2.7 ms). `xNeedsGrad` false for the input layer.
 */
function matMulTrain(x: tf.Tensor2D, w: tf.Tensor2D, xNeedsGrad: boolean): tf.Tensor2D {
  // Tensors the gradient reads go through `save`: the engine frees unsaved intermediates before backprop.
  if (!xNeedsGrad) {
    const f = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const w2 = inputs[0] as tf.Tensor2D, save = inputs[1] as tf.GradSaveFunc;
      save([x]);
      return {
        value: tf.matMul(x, w2),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [tf.matMul(tf.transpose(saved[0]!), dy as tf.Tensor2D)],
      };
    });
    return f(w) as tf.Tensor2D;
  }
  const f = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const a = inputs[0] as tf.Tensor2D, b = inputs[1] as tf.Tensor2D, save = inputs[2] as tf.GradSaveFunc;
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1]!)),
        tf.matMul(tf.transpose(saved[0]!), dy as tf.Tensor2D),
      ],
    };
  });
  return f(x, w) as tf.Tensor2D;
}

/**
 * Logits for a batch. `training` switches on dropout (with that seed) and the
 * training-friendly gradients. Call inside tf.tidy (or minimize): intermediate
 * tensors are not disposed here.
 */
export function forward(spec: ModelSpec, weights: readonly tf.Tensor[], input: BatchInput, training?: { dropoutSeed: number }): tf.Tensor2D {
  const mm = (x: tf.Tensor2D, w: tf.Tensor, xNeedsGrad: boolean): tf.Tensor2D =>
    training ? matMulTrain(x, w as tf.Tensor2D, xNeedsGrad) : tf.matMul(x, w as tf.Tensor2D);
  let k = 0;
  let first: tf.Tensor2D;
  if (spec.standardize) {
    if (input.kind !== 'dense') throw new ValidationError('this model standardises its inputs: it needs dense features, not sparse rows');
    const mean = weights[k++]!, invSd = weights[k++]!;
    const x = tf.mul(tf.sub(input.x, mean), invSd) as tf.Tensor2D;
    first = mm(x, weights[k++]!, false);
  } else if (input.kind === 'dense') first = mm(input.x, weights[k++]!, false);
  else if (input.kind === 'product') {
    first = input.z;
    k++;
  } else {
    if (training) throw new Error('sparse inputs are trained through the JS first layer (a product batch)');
    first = sparseMatMul(input, weights[k++] as tf.Tensor2D);
  }
  let h: tf.Tensor2D = tf.add(first, weights[k++]!);
  for (let l = 0; l < spec.hidden.length; l++) {
    h = tf.relu(h);
    if (training && spec.params.dropout > 0) h = tf.dropout(h, spec.params.dropout, undefined, training.dropoutSeed + l) as tf.Tensor2D;
    h = tf.add(mm(h, weights[k++]!, true), weights[k++]!);
  }
  return h;
}
