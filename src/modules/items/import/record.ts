import { hash } from 'node:crypto';
import { SPLITS, type LabelValue, type Split } from '../../../core/labels.js';
import { ValidationError } from '../../../core/errors.js';

/** Fields that export writes and import accepts back without storing (computed by Quorum). */
const EXPORT_ONLY_FIELDS = new Set(['prediction', 'consensus']);
const KNOWN_FIELDS = new Set(['id', 'split', 'text', 'features', 'meta', 'label', 'annotations', ...EXPORT_ONLY_FIELDS]);

export interface RecordAnnotation {
  annotator: string;
  value: LabelValue;
  createdAt: number | null;
  /** The `label` of a gold item is its known answer, not an annotator's opinion. */
  source: 'import' | 'gold';
}

export interface ValidRecord {
  externalId: string;
  split: Split;
  text: string | null;
  features: Buffer | null;
  meta: string | null;
  annotations: RecordAnnotation[];
  contentHash: string;
}

export interface RecordContext {
  labels: readonly string[];
  labelIndex: ReadonlyMap<string, number>;
  multiLabel: boolean;
  defaultSplit: Split;
  labelSource: string;
  /** Fixed by the project or by the first record of this import that has features. */
  featureDim: number | null;
}

/** A problem with one field of one record. */
export class RecordError extends Error {
  constructor(
    readonly field: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

const MAX_ID_LENGTH = 512;
const FLOAT32_MAX = 3.4028234663852886e38;

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function checkLabel(ctx: RecordContext, raw: unknown, field: string): LabelValue {
  if (ctx.multiLabel) {
    const list = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(list)) throw new RecordError(field, `must be a label or an array of labels, got ${describe(raw)}`);
    const seen = new Set<string>();
    for (const [i, l] of list.entries()) {
      if (typeof l !== 'string') throw new RecordError(`${field}[${i}]`, `must be a string, got ${describe(l)}`);
      if (!ctx.labelIndex.has(l)) throw new RecordError(`${field}[${i}]`, `unknown label ${JSON.stringify(l)}; the project's labels are ${labelList(ctx)}`);
      if (seen.has(l)) throw new RecordError(`${field}[${i}]`, `label ${JSON.stringify(l)} is listed twice`);
      seen.add(l);
    }
    return [...seen].sort((a, b) => ctx.labelIndex.get(a)! - ctx.labelIndex.get(b)!);
  }
  if (typeof raw !== 'string') {
    throw new RecordError(field, `must be one label (a string) in a single-label project, got ${describe(raw)}`);
  }
  if (raw === '') throw new RecordError(field, 'is empty; a single-label project needs exactly one label');
  if (!ctx.labelIndex.has(raw)) throw new RecordError(field, `unknown label ${JSON.stringify(raw)}; the project's labels are ${labelList(ctx)}`);
  return raw;
}

function labelList(ctx: RecordContext): string {
  const shown = ctx.labels.slice(0, 20).map((l) => JSON.stringify(l)).join(', ');
  return ctx.labels.length > 20 ? `${shown}, … (${ctx.labels.length} in all)` : shown;
}

export function dimensionMismatch(got: number, want: number): string {
  return `has ${got} values, but this project's items have ${want}`;
}

function checkFeatures(ctx: RecordContext, raw: unknown): Buffer {
  if (!Array.isArray(raw)) throw new RecordError('features', `must be an array of numbers, got ${describe(raw)}`);
  if (raw.length === 0) throw new RecordError('features', 'is empty');
  if (ctx.featureDim !== null && raw.length !== ctx.featureDim) throw new RecordError('features', dimensionMismatch(raw.length, ctx.featureDim));
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RecordError(`features[${i}]`, `must be a finite number, got ${describe(v)}`);
    }
    if (Math.abs(v) > FLOAT32_MAX) throw new RecordError(`features[${i}]`, `${v} is outside the float32 range`);
    out[i] = v;
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Features the fast path already read as float32 (never empty, every value finite and in range). */
function checkReadFeatures(ctx: RecordContext, read: Float32Array): Buffer {
  if (ctx.featureDim !== null && read.length !== ctx.featureDim) throw new RecordError('features', dimensionMismatch(read.length, ctx.featureDim));
  return Buffer.from(read.buffer, read.byteOffset, read.byteLength);
}

function checkCreatedAt(raw: unknown, field: string): number | null {
  if (raw === undefined || raw === null) return null;
  const ms = typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms)) throw new RecordError(field, `must be an ISO 8601 date-time, got ${describe(raw)}`);
  return ms;
}

/** Deterministic JSON (sorted keys) so that equal metadata hashes equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

let hashInput = Buffer.allocUnsafe(8192);

/** Writes `|length:bytes`, or `|-` for an absent field, at `at`; returns the new end. */
function writeField(b: Buffer, at: number, field: string | Buffer | null, byteLength: number): number {
  if (field === null) return at + b.write('|-', at, 'latin1');
  at += b.write(`|${byteLength}:`, at, 'latin1');
  return at + (typeof field === 'string' ? b.write(field, at, 'utf8') : field.copy(b, at));
}

/**
 * Each field is length-prefixed (or marked absent), so no two different contents hash alike by concatenation.
 * The fields are laid out in one reused buffer and hashed in one call: the bytes a streamed hash saw, cheaper.
 */
export function contentHash(split: Split, text: string | null, features: Buffer | null, meta: string | null): string {
  const textBytes = text === null ? 0 : Buffer.byteLength(text, 'utf8');
  const metaBytes = meta === null ? 0 : Buffer.byteLength(meta, 'utf8');
  const need = 64 + split.length + textBytes + metaBytes + (features?.length ?? 0);
  if (hashInput.length < need) hashInput = Buffer.allocUnsafe(2 * need);
  let n = hashInput.write(split, 0, 'latin1');
  n = writeField(hashInput, n, text, textBytes);
  n = writeField(hashInput, n, features, features?.length ?? 0);
  n = writeField(hashInput, n, meta, metaBytes);
  return hash('sha256', hashInput.subarray(0, n), 'base64url');
}

/**
 * Validates one parsed record against the project. Hand-written rather than a zod
 * parse: it runs 50,000+ times a second and its messages name the exact field.
 * `readFeatures`: the record's features as the fast path read them (its `features` is then null); the
 * result's features are then a view of them, to copy before the fast path reads the next line.
 */
export function validateRecord(raw: unknown, ctx: RecordContext, readFeatures?: Float32Array): ValidRecord {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RecordError(undefined, `each line must be a JSON object, got ${describe(raw)}`);
  }
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!KNOWN_FIELDS.has(key)) {
      throw new RecordError(key, `unknown field; known fields are ${[...KNOWN_FIELDS].filter((f) => !EXPORT_ONLY_FIELDS.has(f)).join(', ')}`);
    }
  }
  let externalId: string;
  if (typeof r.id === 'string') externalId = r.id;
  else if (typeof r.id === 'number' && Number.isSafeInteger(r.id)) externalId = String(r.id);
  else throw new RecordError('id', r.id === undefined ? 'is missing' : `must be a string, got ${describe(r.id)}`);
  if (externalId.length === 0) throw new RecordError('id', 'is empty');
  if (externalId.length > MAX_ID_LENGTH) throw new RecordError('id', `is longer than ${MAX_ID_LENGTH} characters`);

  let split = ctx.defaultSplit;
  if (r.split !== undefined && r.split !== null) {
    if (typeof r.split !== 'string' || !(SPLITS as readonly string[]).includes(r.split)) {
      throw new RecordError('split', `must be one of ${SPLITS.join(', ')}, got ${describe(r.split)}`);
    }
    split = r.split as Split;
  }
  let text: string | null = null;
  if (r.text !== undefined && r.text !== null) {
    if (typeof r.text !== 'string') throw new RecordError('text', `must be a string, got ${describe(r.text)}`);
    text = r.text;
  }
  const features = readFeatures
    ? checkReadFeatures(ctx, readFeatures)
    : r.features === undefined || r.features === null ? null : checkFeatures(ctx, r.features);
  let meta: string | null = null;
  if (r.meta !== undefined && r.meta !== null) {
    if (typeof r.meta !== 'object' || Array.isArray(r.meta)) throw new RecordError('meta', `must be an object, got ${describe(r.meta)}`);
    meta = canonicalJson(r.meta);
  }
  if (text === null && features === null && meta === null) {
    throw new RecordError(undefined, 'an item needs at least one of text, features or meta');
  }

  const annotations: RecordAnnotation[] = [];
  if (r.label !== undefined && r.label !== null) {
    annotations.push({ annotator: ctx.labelSource, value: checkLabel(ctx, r.label, 'label'), createdAt: null, source: split === 'gold' ? 'gold' : 'import' });
  }
  if (r.annotations !== undefined) {
    if (!Array.isArray(r.annotations)) throw new RecordError('annotations', `must be an array, got ${describe(r.annotations)}`);
    for (const [i, a] of r.annotations.entries()) {
      const f = `annotations[${i}]`;
      if (a === null || typeof a !== 'object' || Array.isArray(a)) throw new RecordError(f, `must be an object, got ${describe(a)}`);
      const ann = a as Record<string, unknown>;
      for (const key of Object.keys(ann)) {
        if (key !== 'annotator' && key !== 'label' && key !== 'createdAt') throw new RecordError(`${f}.${key}`, 'unknown field; known fields are annotator, label, createdAt');
      }
      if (typeof ann.annotator !== 'string' || ann.annotator.trim() === '' || ann.annotator.length > 128) {
        throw new RecordError(`${f}.annotator`, `must be a non-empty name of at most 128 characters, got ${describe(ann.annotator)}`);
      }
      if (ann.label === undefined) throw new RecordError(`${f}.label`, 'is missing');
      annotations.push({ annotator: ann.annotator, value: checkLabel(ctx, ann.label, `${f}.label`), createdAt: checkCreatedAt(ann.createdAt, `${f}.createdAt`), source: 'import' });
    }
  }
  const byAnnotator = new Set<string>();
  for (const [i, a] of annotations.entries()) {
    if (byAnnotator.has(a.annotator)) {
      throw new RecordError(i === 0 ? 'label' : `annotations[${r.label != null ? i - 1 : i}].annotator`, `annotator ${JSON.stringify(a.annotator)} labels this item twice`);
    }
    byAnnotator.add(a.annotator);
  }
  return { externalId, split, text, features, meta, annotations, contentHash: contentHash(split, text, features, meta) };
}

/** Checks a label given in Quorum (a task, a review) exactly as an imported one; the error names the field `label`. */
export function parseLabelValue(project: { labels: readonly string[]; multiLabel: boolean }, raw: unknown): LabelValue {
  const ctx: RecordContext = {
    labels: project.labels, labelIndex: new Map(project.labels.map((l, i) => [l, i])), multiLabel: project.multiLabel,
    defaultSplit: 'pool', labelSource: '', featureDim: null,
  };
  try {
    return checkLabel(ctx, raw, 'label');
  } catch (err) {
    if (err instanceof RecordError) throw new ValidationError(`${err.field}: ${err.message}`, [{ ...(err.field ? { field: err.field } : {}), message: err.message }]);
    throw err;
  }
}
