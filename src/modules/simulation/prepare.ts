/**
 * Model inputs for a simulation, built once in the main thread and shared with the
 * worker threads through SharedArrayBuffers (no copies per task):
 * - numeric features: scaled with statistics of the POOL rows only (`standardize`:
 *   per-feature mean / population sd, constant features centred only; `max`: divided by
 *   the largest |value| of the pool, e.g. digits ÷ 16; `none`: as is), the test rows with
 *   the same statistics;
 * - text: the built-in hashed n-gram featurizer (tf-idf) fitted on the pool texts, sparse rows;
 * - embeddings for the diversity strategies: the scaled features themselves; for text,
 *   a sparse random projection of the tf-idf rows to {@link TEXT_EMBEDDING_DIM} dense dims
 *   (each bucket adds ±v/√s to s = 4 hashed coordinates, Kane & Nelson 2014), which keeps
 *   distances and cosines in expectation without densifying 2^18 columns.
 */
import { fitTransform, featurize, type FeaturizerConfigInput, type SparseRows } from '../models/featurize/index.js';
import type { DenseMatrix, FeatureMatrix } from '../models/tfjs/index.js';
import type { Embeddings } from '../strategies/index.js';
import type { Dataset, Split } from './dataset.js';

export const SCALINGS = ['standardize', 'max', 'none'] as const;
export type Scaling = (typeof SCALINGS)[number];

export const TEXT_EMBEDDING_DIM = 256;
const PROJECTION_NNZ = 4;

/** Everything a run needs, in arrays that can cross to worker threads without copying. */
export interface Prepared {
  labels: string[];
  pool: FeatureMatrix;
  test: FeatureMatrix;
  yPool: Int32Array;
  yTest: Int32Array;
  /** For diversity strategies (null when none was asked for). */
  embeddings: Embeddings | null;
  /** What was done, for the report. */
  preprocessing: string;
}

export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);
}
export function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);
}

function shareSparse(x: SparseRows): SparseRows {
  const indptr = sharedInt32(x.indptr.length);
  indptr.set(x.indptr);
  const indices = sharedInt32(x.indices.length);
  indices.set(x.indices);
  const values = sharedFloat32(x.values.length);
  values.set(x.values);
  return { rows: x.rows, dim: x.dim, indptr, indices, values };
}

function gatherRows(src: Float32Array, d: number, rows: Int32Array): Float32Array {
  const out = sharedFloat32(rows.length * d);
  for (let i = 0; i < rows.length; i++) out.set(src.subarray(rows[i]! * d, rows[i]! * d + d), i * d);
  return out;
}

/** Scale pool and test in place with statistics of the pool; returns a description. */
export function scaleFeatures(pool: DenseMatrix, test: DenseMatrix, scaling: Scaling): string {
  const d = pool.cols;
  if (scaling === 'none') return 'features as they are';
  if (scaling === 'max') {
    let m = 0;
    for (let i = 0; i < pool.data.length; i++) m = Math.max(m, Math.abs(pool.data[i]!));
    if (m > 0) {
      const inv = 1 / m;
      for (const x of [pool, test]) for (let i = 0; i < x.data.length; i++) x.data[i] = x.data[i]! * inv;
    }
    return `features divided by ${m}, the largest |value| in the pool`;
  }
  const mean = new Float64Array(d), sq = new Float64Array(d);
  for (let r = 0; r < pool.rows; r++) {
    for (let j = 0; j < d; j++) {
      const v = pool.data[r * d + j]!;
      mean[j]! += v;
      sq[j]! += v * v;
    }
  }
  const inv = new Float64Array(d);
  let constant = 0;
  for (let j = 0; j < d; j++) {
    mean[j]! /= pool.rows;
    const sd = Math.sqrt(Math.max(0, sq[j]! / pool.rows - mean[j]! ** 2));
    if (sd > 1e-12) inv[j] = 1 / sd;
    else {
      inv[j] = 1;
      constant++;
    }
  }
  for (const x of [pool, test]) {
    for (let r = 0; r < x.rows; r++) for (let j = 0; j < d; j++) x.data[r * d + j] = (x.data[r * d + j]! - mean[j]!) * inv[j]!;
  }
  return `features standardised with the pool's mean and sd${constant ? ` (${constant} constant in the pool: centred only)` : ''}`;
}

/** Mixes (column, slot, seed) to 32 bits (a splitmix32 round). */
function mix(a: number): number {
  a = (a + 0x9e3779b9) | 0;
  a = Math.imul(a ^ (a >>> 16), 0x21f0aaad);
  a = Math.imul(a ^ (a >>> 15), 0x735a2d97);
  return (a ^ (a >>> 15)) >>> 0;
}

/** Sparse rows → dense rows × dim by a sparse random sign projection (seeded, deterministic). */
export function projectSparse(x: SparseRows, dim = TEXT_EMBEDDING_DIM, seed = 0): Embeddings {
  const out = sharedFloat32(x.rows * dim);
  const scale = 1 / Math.sqrt(PROJECTION_NNZ);
  for (let r = 0; r < x.rows; r++) {
    const o = r * dim;
    for (let p = x.indptr[r]!, e = x.indptr[r + 1]!; p < e; p++) {
      const j = x.indices[p]!, v = x.values[p]! * scale;
      for (let t = 0; t < PROJECTION_NNZ; t++) {
        const h = mix(Math.imul(j, PROJECTION_NNZ) + t + Math.imul(seed, 0x632be5ab));
        out[o + (h % dim)]! += h & 0x80000000 ? -v : v;
      }
    }
  }
  return { rows: x.rows, dim, data: out };
}

export interface PrepareOptions {
  scaling?: Scaling;
  featurizer?: FeaturizerConfigInput;
  /** Build embeddings for diversity strategies. */
  embeddings?: boolean;
}

export function prepare(ds: Dataset, split: Split, opts: PrepareOptions = {}): Prepared {
  const yPool = sharedInt32(split.pool.length);
  split.pool.forEach((r, i) => (yPool[i] = ds.y[r]!));
  const yTest = sharedInt32(split.test.length);
  split.test.forEach((r, i) => (yTest[i] = ds.y[r]!));
  if (ds.input === 'features') {
    const d = ds.dim;
    const pool: DenseMatrix = { rows: split.pool.length, cols: d, data: gatherRows(ds.features!, d, split.pool) };
    const test: DenseMatrix = { rows: split.test.length, cols: d, data: gatherRows(ds.features!, d, split.test) };
    const preprocessing = scaleFeatures(pool, test, opts.scaling ?? 'standardize');
    return {
      labels: ds.labels, pool, test, yPool, yTest,
      embeddings: opts.embeddings ? { rows: pool.rows, dim: d, data: pool.data } : null,
      preprocessing,
    };
  }
  const texts = ds.texts!;
  const { fitted, features } = fitTransform(Array.from(split.pool, (r) => texts[r]!), opts.featurizer ?? {});
  const testRows = featurize(Array.from(split.test, (r) => texts[r]!), fitted);
  const pool = shareSparse(features);
  const c = fitted.config;
  return {
    labels: ds.labels, pool, test: shareSparse(testRows), yPool, yTest,
    embeddings: opts.embeddings ? projectSparse(pool) : null,
    preprocessing:
      `text through the hashed n-gram featurizer (word ${c.wordNgrams.min}–${c.wordNgrams.max}-grams${c.charNgrams ? `, char ${c.charNgrams.min}–${c.charNgrams.max}-grams` : ''}, ` +
      `${c.dimension} buckets, ${c.weighting} fitted on the pool texts)` +
      (opts.embeddings ? `; diversity strategies use a ${TEXT_EMBEDDING_DIM}-dim sparse random projection of those rows` : ''),
  };
}
