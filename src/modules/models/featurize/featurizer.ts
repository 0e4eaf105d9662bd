/**
 * Hashed n-gram text featurizer: pure, deterministic, no I/O.
 *
 * text → tokens ({@link tokenize}) → word n-grams (joined with one space) and,
 * optionally, character n-grams of each token padded with a space on both sides
 * (scikit-learn's `char_wb`; n counts code points) → MurmurHash3 x86_32 of the
 * n-gram's UTF-16LE bytes (word n-grams with `seed`, char n-grams with
 * `seed + 0x9e3779b9`, so the word `the` and the char 3-gram `the` differ) →
 * bucket `hash & (dimension − 1)`, sign `hash >>> 31 ? −1 : +1` when `signed` →
 * per bucket, the signed count c summed over the document → weight
 * (`tfidf`: sign(c)(1 + ln|c|) × idf; `log-count`: sign(c) ln(1 + |c|)) → L2-normalised row.
 * Buckets whose signed count cancels to 0 are left out.
 */
import { ValidationError } from '../../../core/errors.js';
import { featurizerConfigSchema, type FeaturizerConfig, type FeaturizerConfigInput } from './config.js';
import { murmur3Utf16 } from './hash.js';
import type { SparseRows } from './sparse.js';
import { normalizeText, TOKEN_PATTERN } from './tokenize.js';

/** A fitted featurizer: the parsed config (JSON) plus, for `tfidf`, one idf weight per bucket. */
export interface FittedFeaturizer {
  readonly config: FeaturizerConfig;
  /** Number of documents the idf was fitted on. */
  readonly documentCount: number;
  /** `dimension` weights for `tfidf`, null for `log-count`. */
  readonly idf: Float32Array | null;
}

const CHAR_SEED_OFFSET = 0x9e3779b9;
const HAS_SURROGATE = /[\uD800-\uDFFF]/;

/** Parse and validate a config; throws {@link ValidationError} naming the bad field. */
export function parseFeaturizerConfig(config: unknown): FeaturizerConfig {
  const r = featurizerConfigSchema.safeParse(config ?? {});
  if (!r.success) {
    const details = r.error.issues.map((i) => ({ field: i.path.join('.') || 'config', message: i.message }));
    throw new ValidationError(`invalid featurizer config: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
  }
  return r.data;
}

function checkTexts(texts: readonly string[]): void {
  if (!Array.isArray(texts)) throw new ValidationError('texts must be an array of strings');
  for (let i = 0; i < texts.length; i++) {
    if (typeof texts[i] !== 'string') throw new ValidationError(`texts[${i}] is not a string`, [{ field: `texts[${i}]`, message: 'not a string' }]);
  }
}

/** Growable CSR builder. */
class RowsBuilder {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
  rows = 0;
  nnz = 0;
  constructor(rows: number, nnzGuess: number) {
    this.indptr = new Int32Array(rows + 1);
    this.indices = new Int32Array(Math.max(16, nnzGuess));
    this.values = new Float32Array(Math.max(16, nnzGuess));
  }
  reserve(extra: number): void {
    if (this.nnz + extra <= this.indices.length) return;
    const cap = Math.max(this.nnz + extra, this.indices.length * 2);
    const i = new Int32Array(cap);
    i.set(this.indices.subarray(0, this.nnz));
    const v = new Float32Array(cap);
    v.set(this.values.subarray(0, this.nnz));
    this.indices = i;
    this.values = v;
  }
  finish(dim: number): SparseRows {
    return {
      rows: this.rows,
      dim,
      indptr: this.indptr,
      indices: this.indices.slice(0, this.nnz),
      values: this.values.slice(0, this.nnz),
    };
  }
}

/** Per-document accumulation of signed bucket counts over a dense scratch vector. */
class Counter {
  readonly acc: Float64Array;
  readonly stamp: Int32Array;
  touched: Int32Array;
  n = 0;
  doc = 0;
  readonly mask: number;
  constructor(readonly cfg: FeaturizerConfig) {
    this.acc = new Float64Array(cfg.dimension);
    this.stamp = new Int32Array(cfg.dimension);
    this.touched = new Int32Array(1024);
    this.mask = cfg.dimension - 1;
  }
  add(h: number): void {
    const idx = h & this.mask;
    const v = this.cfg.signed && h >>> 31 ? -1 : 1;
    if (this.stamp[idx] !== this.doc) {
      this.stamp[idx] = this.doc;
      this.acc[idx] = v;
      if (this.n === this.touched.length) {
        const t = new Int32Array(this.n * 2);
        t.set(this.touched);
        this.touched = t;
      }
      this.touched[this.n++] = idx;
    } else this.acc[idx]! += v;
  }
  /** Count one document's features, then append its non-zero buckets (ascending) to `out`. */
  countDocument(text: string, out: RowsBuilder): void {
    this.doc++;
    this.n = 0;
    const cfg = this.cfg;
    const s = normalizeText(text, cfg.lowercase);
    const tokens = s.match(new RegExp(TOKEN_PATTERN.source, 'gu')) ?? [];
    const wordSeed = cfg.seed | 0;
    const { min: wmin, max: wmax } = cfg.wordNgrams;
    for (let n = wmin; n <= wmax; n++) {
      for (let i = 0; i + n <= tokens.length; i++) {
        const g = n === 1 ? tokens[i]! : n === 2 ? `${tokens[i]!} ${tokens[i + 1]!}` : tokens.slice(i, i + n).join(' ');
        this.add(murmur3Utf16(g, 0, g.length, wordSeed));
      }
    }
    if (cfg.charNgrams) {
      const charSeed = (cfg.seed + CHAR_SEED_OFFSET) | 0;
      const { min: cmin, max: cmax } = cfg.charNgrams;
      for (const t of tokens) this.charNgrams(` ${t} `, cmin, cmax, charSeed);
    }
    const m = this.n;
    const idx = this.touched.subarray(0, m).sort();
    out.reserve(m);
    let o = out.nnz;
    for (let k = 0; k < m; k++) {
      const j = idx[k]!;
      const c = this.acc[j]!;
      if (c !== 0) {
        out.indices[o] = j;
        out.values[o] = c;
        o++;
      }
    }
    out.nnz = o;
    out.rows++;
    out.indptr[out.rows] = o;
  }
  /** scikit-learn `char_wb` windows of a padded token; a token shorter than n is counted once. */
  private charNgrams(w: string, min: number, max: number, seed: number): void {
    if (!HAS_SURROGATE.test(w)) {
      const len = w.length;
      for (let n = min; n <= max; n++) {
        if (len <= n) {
          this.add(murmur3Utf16(w, 0, len, seed));
          break;
        }
        for (let o = 0; o + n <= len; o++) this.add(murmur3Utf16(w, o, o + n, seed));
      }
      return;
    }
    const starts: number[] = [];
    for (let i = 0; i < w.length; i++) {
      starts.push(i);
      const c = w.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < w.length) {
        const d = w.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
    }
    const len = starts.length;
    starts.push(w.length);
    for (let n = min; n <= max; n++) {
      if (len <= n) {
        this.add(murmur3Utf16(w, 0, w.length, seed));
        break;
      }
      for (let o = 0; o + n <= len; o++) this.add(murmur3Utf16(w, starts[o]!, starts[o + n]!, seed));
    }
  }
}

/** Raw signed bucket counts, one CSR row per text (no weighting, no normalisation). */
export function hashCounts(texts: readonly string[], config: FeaturizerConfig): SparseRows {
  checkTexts(texts);
  const counter = new Counter(config);
  const out = new RowsBuilder(texts.length, texts.length * 128);
  for (const t of texts) counter.countDocument(t, out);
  return out.finish(config.dimension);
}

function fitIdf(counts: SparseRows, config: FeaturizerConfig): Float32Array {
  const df = new Int32Array(config.dimension);
  for (let p = 0; p < counts.indices.length; p++) df[counts.indices[p]!]!++;
  const n = counts.rows;
  const idf = new Float32Array(config.dimension);
  for (let j = 0; j < idf.length; j++) {
    const d = df[j]!;
    idf[j] = d >= config.minDf && d > 0 ? Math.log((1 + n) / (1 + d)) + 1 : 0;
  }
  return idf;
}

/** Weight and L2-normalise raw counts in place (returns the same object, entries weighted to 0 removed). */
function weigh(counts: SparseRows, fitted: FittedFeaturizer): SparseRows {
  const { indptr, indices, values } = counts;
  const idf = fitted.idf;
  const tfidf = fitted.config.weighting === 'tfidf';
  let o = 0;
  let start = 0;
  for (let r = 0; r < counts.rows; r++) {
    const end = indptr[r + 1]!;
    const rowStart = o;
    let ss = 0;
    for (let p = start; p < end; p++) {
      const c = values[p]!;
      const a = Math.abs(c);
      let w = tfidf ? (1 + Math.log(a)) * idf![indices[p]!]! : Math.log1p(a);
      if (w === 0) continue;
      if (c < 0) w = -w;
      indices[o] = indices[p]!;
      values[o] = w;
      ss += w * w;
      o++;
    }
    if (ss > 0) {
      const inv = 1 / Math.sqrt(ss);
      for (let p = rowStart; p < o; p++) values[p] = values[p]! * inv;
    }
    start = end;
    indptr[r + 1] = o;
  }
  if (o === indices.length) return counts;
  return { rows: counts.rows, dim: counts.dim, indptr, indices: indices.slice(0, o), values: values.slice(0, o) };
}

/**
 * Fit the featurizer on training texts: for `tfidf` this fits the idf vector,
 * for `log-count` nothing is learned (the config is only validated).
 */
export function fitFeaturizer(texts: readonly string[], config: FeaturizerConfigInput = {}): FittedFeaturizer {
  return fitTransform(texts, config).fitted;
}

/** {@link fitFeaturizer} and {@link featurize} of the same texts, counting them once. */
export function fitTransform(
  texts: readonly string[],
  config: FeaturizerConfigInput = {},
): { fitted: FittedFeaturizer; features: SparseRows } {
  const cfg = parseFeaturizerConfig(config);
  const counts = hashCounts(texts, cfg);
  const fitted: FittedFeaturizer = {
    config: cfg,
    documentCount: texts.length,
    idf: cfg.weighting === 'tfidf' ? fitIdf(counts, cfg) : null,
  };
  return { fitted, features: weigh(counts, fitted) };
}

/** Features of texts with a fitted featurizer: one L2-normalised sparse row per text. */
export function featurize(texts: readonly string[], fitted: FittedFeaturizer): SparseRows {
  checkFitted(fitted);
  return weigh(hashCounts(texts, fitted.config), fitted);
}

function checkFitted(f: FittedFeaturizer): void {
  if (f.config.weighting === 'tfidf') {
    if (!(f.idf instanceof Float32Array) || f.idf.length !== f.config.dimension) {
      throw new ValidationError(`a tfidf featurizer needs an idf Float32Array of ${f.config.dimension} values`);
    }
  } else if (f.idf !== null) throw new ValidationError('a log-count featurizer has no idf vector');
}
