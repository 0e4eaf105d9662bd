/**
 * Inference in chunks: ONE input tensor per chunk of up to 8,192 rows (fewer for
 * wide or dense-heavy inputs, bounded by element counts), never `model.predict`
 * with small batches (on wasm that copies the whole input per batch).
 */
import type { Probabilities } from '../../../core/labels.js';
import { ValidationError } from '../../../core/errors.js';
import { requireBackend, tf } from './backend.js';
import { asMatrix, isDense, matrixCols, type FeatureInput, type FeatureMatrix } from './matrix.js';
import { forward, uploadRange, uploadRows, type BatchInput, type ModelSpec, type TfModel } from './model.js';

export const MAX_CHUNK_ROWS = 8192;
/** Dense input values per chunk (8,192 × 1,024 floats = 32 MiB). */
export const MAX_CHUNK_INPUT = 8192 * 1024;
/** Sparse: gathered first-layer values (non-zeros × first-layer width) per chunk. */
export const MAX_CHUNK_GATHER = 1 << 24;

export interface PredictOptions {
  /** Checked between chunks. */
  signal?: AbortSignal;
  /** Override the row cap per chunk (tests, tuning). */
  chunkRows?: number;
}

/** Chunk boundaries over `n` rows (or the given row list). */
function chunks(spec: Pick<ModelSpec, 'hidden' | 'labels'>, x: FeatureMatrix, n: number, rowAt: (i: number) => number, cap: number): number[] {
  const bounds = [0];
  if (isDense(x)) {
    const step = Math.max(1, Math.min(cap, Math.floor(MAX_CHUNK_INPUT / x.cols)));
    for (let s = step; s < n; s += step) bounds.push(s);
  } else {
    const width = spec.hidden[0] ?? spec.labels.length;
    let start = 0, gathered = 0;
    for (let i = 0; i < n; i++) {
      const r = rowAt(i);
      const nnz = x.indptr[r + 1]! - x.indptr[r]!;
      if (i > start && (i - start >= cap || (gathered + nnz) * width > MAX_CHUNK_GATHER)) {
        bounds.push(i);
        start = i;
        gathered = 0;
      }
      gathered += nnz;
    }
  }
  bounds.push(n);
  return n === 0 ? [0] : bounds;
}

function checkInput(spec: ModelSpec, x: FeatureMatrix): void {
  const d = matrixCols(x);
  if (d !== spec.inputDim) throw new ValidationError(`the model takes ${spec.inputDim} features, got ${d}`);
}

/**
 * Raw outputs (logits) for `rows` of x (all rows when omitted), rows × labels.
 * Internal: used for validation during training.
 */
export function logitsInChunks(
  model: { spec: ModelSpec; weights: readonly tf.Tensor[] },
  x: FeatureMatrix,
  rows: Int32Array,
  firstLayer?: (rows: ArrayLike<number>) => Float32Array,
): Float32Array {
  return run(model, x, rows, false, {}, firstLayer);
}

function run(
  model: { spec: ModelSpec; weights: readonly tf.Tensor[] },
  x: FeatureMatrix,
  rows: Int32Array | undefined,
  probabilities: boolean,
  opts: PredictOptions,
  firstLayer?: (rows: ArrayLike<number>) => Float32Array,
): Float32Array {
  const { spec, weights } = model;
  const k = spec.labels.length;
  const n = rows ? rows.length : x.rows;
  const out = new Float32Array(n * k);
  const rowAt = rows ? (i: number) => rows[i]! : (i: number) => i;
  const bounds = chunks(spec, x, n, rowAt, Math.max(1, Math.min(opts.chunkRows ?? MAX_CHUNK_ROWS, MAX_CHUNK_ROWS)));
  for (let c = 0; c + 1 < bounds.length; c++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    const s = bounds[c]!, e = bounds[c + 1]!;
    const y = tf.tidy(() => {
      let batch: BatchInput;
      if (firstLayer && rows) {
        const width = spec.hidden[0] ?? k;
        batch = { kind: 'product', rows: e - s, z: tf.tensor2d(firstLayer(rows.subarray(s, e)), [e - s, width]) };
      } else batch = rows ? uploadRows(x, rows.subarray(s, e)) : uploadRange(x, s, e);
      const logits = forward(spec, weights, batch);
      if (!probabilities) return logits;
      return spec.multiLabel ? tf.sigmoid(logits) : tf.softmax(logits);
    });
    out.set(y.dataSync() as Float32Array, s * k);
    y.dispose();
  }
  return out;
}

/**
 * Class probabilities (rows × labels, the model's label order): softmax rows
 * for single-label models, independent sigmoids for multi-label ones.
 * X: a bare Float32Array is rows × inputDim.
 */
export function predictProba(model: TfModel, X: FeatureInput, opts: PredictOptions = {}): Probabilities {
  requireBackend();
  const spec = model.spec;
  let x: FeatureMatrix;
  if (X instanceof Float32Array) {
    if (X.length % spec.inputDim !== 0) throw new ValidationError(`X has ${X.length} values, not a multiple of the model's ${spec.inputDim} features`);
    x = { rows: X.length / spec.inputDim, cols: spec.inputDim, data: X };
  } else x = asMatrix(X);
  checkInput(spec, x);
  if (spec.standardize && !isDense(x)) throw new ValidationError('this model standardises its inputs: it needs dense features, not sparse rows');
  const data = run(model, x, undefined, true, opts);
  return { rows: x.rows, labels: spec.labels.length, data };
}
