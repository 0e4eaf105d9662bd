/**
 * Compressed sparse rows (CSR): row r holds `indices[indptr[r] .. indptr[r+1])`
 * (ascending, distinct) with the matching `values`.
 */
export interface SparseRows {
  readonly rows: number;
  /** Number of columns. */
  readonly dim: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export function isSparseRows(x: unknown): x is SparseRows {
  return typeof x === 'object' && x !== null && (x as SparseRows).indptr instanceof Int32Array;
}

/**
 * Rows [start, end) as a dense row-major Float32Array ((end − start) × dim);
 * writes into `out` (zeroed first) when given.
 */
export function densify(x: SparseRows, start = 0, end = x.rows, out?: Float32Array): Float32Array {
  if (!(start >= 0 && start <= end && end <= x.rows)) throw new RangeError(`densify: bad row range [${start}, ${end}) of ${x.rows}`);
  const n = (end - start) * x.dim;
  let dense: Float32Array;
  if (out) {
    if (out.length < n) throw new RangeError(`densify: out has ${out.length} values, needs ${n}`);
    dense = out;
    dense.fill(0, 0, n);
  } else dense = new Float32Array(n);
  for (let r = start; r < end; r++) {
    const base = (r - start) * x.dim;
    for (let p = x.indptr[r]!, e = x.indptr[r + 1]!; p < e; p++) dense[base + x.indices[p]!] = x.values[p]!;
  }
  return dense;
}

/** The given rows, in the given order, as a new SparseRows. */
export function selectRows(x: SparseRows, rows: ArrayLike<number>): SparseRows {
  let nnz = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!(r >= 0 && r < x.rows)) throw new RangeError(`selectRows: row ${r} out of [0, ${x.rows})`);
    nnz += x.indptr[r + 1]! - x.indptr[r]!;
  }
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let o = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const s = x.indptr[r]!, e = x.indptr[r + 1]!;
    indices.set(x.indices.subarray(s, e), o);
    values.set(x.values.subarray(s, e), o);
    o += e - s;
    indptr[i + 1] = o;
  }
  return { rows: rows.length, dim: x.dim, indptr, indices, values };
}

/** Rows [start, end) as a SparseRows sharing no memory with `x`. */
export function sliceRows(x: SparseRows, start: number, end: number): SparseRows {
  const idx = new Int32Array(Math.max(0, end - start));
  for (let i = 0; i < idx.length; i++) idx[i] = start + i;
  return selectRows(x, idx);
}

/** Euclidean norm of each row. */
export function rowNorms(x: SparseRows): Float64Array {
  const out = new Float64Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    let s = 0;
    for (let p = x.indptr[r]!, e = x.indptr[r + 1]!; p < e; p++) s += x.values[p]! * x.values[p]!;
    out[r] = Math.sqrt(s);
  }
  return out;
}
