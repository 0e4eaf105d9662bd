/** Feature matrices the models accept: dense row-major, or sparse rows from the featurizer. */
import { ValidationError } from '../../../core/errors.js';
import { isSparseRows, type SparseRows } from '../featurize/index.js';

export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  /** rows × cols, row-major. */
  readonly data: Float32Array;
}

export type FeatureMatrix = DenseMatrix | SparseRows;

/** A bare Float32Array is rows × (length / rows), row-major. */
export type FeatureInput = Float32Array | FeatureMatrix;

export function isDense(x: FeatureMatrix): x is DenseMatrix {
  return !isSparseRows(x);
}

export function matrixCols(x: FeatureMatrix): number {
  return isSparseRows(x) ? x.dim : x.cols;
}

/** Normalise an input to a {@link FeatureMatrix}; `rows` is needed for a bare Float32Array. */
export function asMatrix(x: FeatureInput, rows?: number, what = 'X'): FeatureMatrix {
  if (x instanceof Float32Array) {
    if (rows === undefined) throw new ValidationError(`${what}: a bare Float32Array needs a row count`);
    if (rows === 0) throw new ValidationError(`${what}: no rows`);
    const cols = x.length / rows;
    if (!Number.isInteger(cols) || cols < 1) throw new ValidationError(`${what} has ${x.length} values, not a multiple of ${rows} rows`);
    return { rows, cols, data: x };
  }
  if (isSparseRows(x)) {
    const { rows: n, dim, indptr, indices, values } = x;
    if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(dim) || dim < 1) throw new ValidationError(`${what}: bad sparse shape ${n} × ${dim}`);
    if (indptr.length !== n + 1 || indptr[0] !== 0 || indptr[n] !== indices.length || values.length !== indices.length) {
      throw new ValidationError(`${what}: inconsistent sparse rows (indptr ${indptr.length}, indices ${indices.length}, values ${values.length})`);
    }
    for (let p = 0; p < indices.length; p++) {
      const j = indices[p]!;
      if (!(j >= 0 && j < dim)) throw new ValidationError(`${what}: column ${j} out of [0, ${dim})`);
    }
    return x;
  }
  if (typeof x === 'object' && x !== null && x.data instanceof Float32Array) {
    if (!Number.isSafeInteger(x.rows) || x.rows < 0 || !Number.isSafeInteger(x.cols) || x.cols < 1 || x.data.length !== x.rows * x.cols) {
      throw new ValidationError(`${what}: data has ${x.data.length} values, expected ${x.rows} × ${x.cols}`);
    }
    return x;
  }
  throw new ValidationError(`${what} must be a Float32Array, { rows, cols, data } or sparse rows`);
}
