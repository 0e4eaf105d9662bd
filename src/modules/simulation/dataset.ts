/**
 * A labelled dataset for `quorum simulate`: JSONL (optionally gzipped), one
 * `{id, text?, features?, label}` object per line, single-label. Every problem
 * names the file and line. The split into pool and test set comes from a file of
 * test ids (the fixed splits of bench/data/splits) or a seeded stratified fraction.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ValidationError } from '../../core/errors.js';
import { createRng, shuffleInPlace } from '../../core/random.js';

export type InputKind = 'features' | 'text';

export interface Dataset {
  file: string;
  input: InputKind;
  /** Sorted distinct labels: the class order of every matrix and model. */
  labels: string[];
  ids: string[];
  /** Class index per line. */
  y: Int32Array;
  /** features: rows × dim, row-major (input `features`). */
  features: Float32Array | null;
  dim: number;
  /** input `text`. */
  texts: string[] | null;
}

export interface Split {
  /** Dataset rows in the pool (file order) and in the test set. */
  pool: Int32Array;
  test: Int32Array;
  /** How the split was made, for the report. */
  how: string;
}

function lineError(file: string, line: number, message: string): ValidationError {
  return new ValidationError(`${file}:${line}: ${message}`, [{ location: `${file}:${line}`, message }]);
}

/** The text of a file, gunzipped when it starts with the gzip magic bytes. */
export function readMaybeGzip(file: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValidationError(code === 'ENOENT' ? `${file}: no such file` : `${file}: ${(e as Error).message}`);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new ValidationError(`${file}: not a valid gzip file (${(e as Error).message})`);
    }
  }
  return buf.toString('utf8');
}

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/**
 * Parse and validate the dataset. `input`: which field feeds the model; by default
 * `features` when the first line has them, else `text`.
 */
export function parseDataset(file: string, content: string, opts: { input?: InputKind } = {}): Dataset {
  const lines = content.split('\n');
  const ids: string[] = [];
  const labelOf: string[] = [];
  const feats: number[][] = [];
  const texts: string[] = [];
  const seen = new Map<string, number>();
  let input = opts.input;
  let dim = -1;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const ln = i + 1;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      throw lineError(file, ln, `not valid JSON (${(e as Error).message})`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw lineError(file, ln, `expected a JSON object {id, text?, features?, label}, got ${describe(obj)}`);
    const o = obj as Record<string, unknown>;
    const id = o.id;
    if (!((typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id)))) {
      throw lineError(file, ln, id === undefined ? 'no "id"' : `"id" must be a non-empty string or a number, got ${describe(id)}`);
    }
    const sid = String(id);
    const dup = seen.get(sid);
    if (dup !== undefined) throw lineError(file, ln, `duplicate id "${sid}" (first on line ${dup})`);
    seen.set(sid, ln);
    const label = o.label;
    if (label === undefined || label === null) throw lineError(file, ln, 'no "label": simulate needs every line labelled');
    if (Array.isArray(label)) throw lineError(file, ln, '"label" is a list: simulate is single-label (one label per line)');
    if (!((typeof label === 'string' && label !== '') || (typeof label === 'number' && Number.isFinite(label)) || typeof label === 'boolean')) {
      throw lineError(file, ln, `"label" must be a non-empty string or a number, got ${describe(label)}`);
    }
    input ??= o.features !== undefined ? 'features' : 'text';
    if (input === 'features') {
      const f = o.features;
      if (f === undefined) throw lineError(file, ln, 'no "features" (the input is features, as on the first line; pass --input text to use "text")');
      if (!Array.isArray(f) || f.length === 0) throw lineError(file, ln, `"features" must be a non-empty array of numbers, got ${describe(f)}`);
      for (let j = 0; j < f.length; j++) {
        if (typeof f[j] !== 'number' || !Number.isFinite(f[j])) throw lineError(file, ln, `features[${j}] is ${JSON.stringify(f[j])}, not a finite number`);
      }
      if (dim === -1) dim = f.length;
      else if (f.length !== dim) throw lineError(file, ln, `${f.length} features, but earlier lines have ${dim}`);
      feats.push(f as number[]);
    } else {
      const t = o.text;
      if (typeof t !== 'string') throw lineError(file, ln, t === undefined ? 'no "text" (the input is text)' : `"text" must be a string, got ${describe(t)}`);
      texts.push(t);
    }
    ids.push(sid);
    labelOf.push(String(label));
  }
  if (ids.length === 0) throw new ValidationError(`${file}: no data lines`);
  const labels = [...new Set(labelOf)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (labels.length < 2) throw new ValidationError(`${file}: every line has the label "${labels[0]}"; simulate needs at least 2 labels`);
  const index = new Map(labels.map((l, i) => [l, i]));
  const y = Int32Array.from(labelOf, (l) => index.get(l)!);
  let features: Float32Array | null = null;
  if (input === 'features') {
    features = new Float32Array(ids.length * dim);
    feats.forEach((f, r) => features!.set(f, r * dim));
  }
  return { file, input: input!, labels, ids, y, features, dim: Math.max(dim, 0), texts: input === 'text' ? texts : null };
}

export function loadDataset(file: string, opts: { input?: InputKind } = {}): Dataset {
  return parseDataset(file, readMaybeGzip(file), opts);
}

/** Test rows = the ids listed in a JSON array file; every listed id must be in the data. */
export function splitByIds(ds: Dataset, idsFile: string): Split {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readMaybeGzip(idsFile));
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    throw new ValidationError(`${idsFile}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
    throw new ValidationError(`${idsFile}: expected a JSON array of ids`);
  }
  const want = new Set(parsed.map(String));
  const isTest = new Uint8Array(ds.ids.length);
  let found = 0;
  ds.ids.forEach((id, r) => {
    if (want.has(id)) {
      isTest[r] = 1;
      found++;
    }
  });
  if (found !== want.size) {
    const known = new Set(ds.ids);
    const missing = [...want].filter((id) => !known.has(id));
    throw new ValidationError(`${idsFile}: ${missing.length} of its ${want.size} test ids are not in ${ds.file} (first: "${missing[0]}")`);
  }
  return finish(isTest, `test ids from ${idsFile}`);
}

/** A seeded split stratified by label: round(fraction · n_class) rows of each class go to the test set. */
export function splitByFraction(ds: Dataset, fraction: number, seed = 0): Split {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`test fraction must be in (0, 1), got ${fraction}`);
  const rng = createRng(seed);
  const byClass: number[][] = ds.labels.map(() => []);
  ds.y.forEach((c, r) => byClass[c]!.push(r));
  const isTest = new Uint8Array(ds.ids.length);
  for (const rows of byClass) {
    shuffleInPlace(rows, rng);
    const m = Math.round(fraction * rows.length);
    for (let i = 0; i < m; i++) isTest[rows[i]!] = 1;
  }
  return finish(isTest, `stratified ${fraction} of each label (seed ${seed})`);
}

function finish(isTest: Uint8Array, how: string): Split {
  const pool: number[] = [], test: number[] = [];
  isTest.forEach((t, r) => (t ? test : pool).push(r));
  if (test.length === 0) throw new ValidationError(`the test set is empty (${how})`);
  if (pool.length === 0) throw new ValidationError(`the pool is empty: every row is in the test set (${how})`);
  return { pool: Int32Array.from(pool), test: Int32Array.from(test), how };
}
