/**
 * A fitted featurizer as JSON (config + document count) plus its idf vector,
 * or as one byte string: "QFZ1", u32 LE JSON length, UTF-8 JSON (keys sorted), zero padding
 * to a multiple of 4, then the idf as float32 little-endian.
 */
import { z } from 'zod';
import { ValidationError } from '../../../core/errors.js';
import { featurizerConfigSchema } from './config.js';
import type { FittedFeaturizer } from './featurizer.js';

export const fittedFeaturizerJsonSchema = z.strictObject({
  format: z.literal('quorum-hashed-ngrams'),
  version: z.literal(1),
  config: featurizerConfigSchema,
  documentCount: z.number().int().min(0),
});
export type FittedFeaturizerJson = z.output<typeof fittedFeaturizerJsonSchema>;

const MAGIC = [0x51, 0x46, 0x5a, 0x31]; // "QFZ1"

/** JSON with object keys sorted at every level: equal values give equal bytes (and content hashes). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}

export function featurizerToJSON(f: FittedFeaturizer): FittedFeaturizerJson {
  return { format: 'quorum-hashed-ngrams', version: 1, config: { ...f.config }, documentCount: f.documentCount };
}

/** Rebuild a fitted featurizer from its JSON and idf; validates both. */
export function featurizerFromJSON(json: unknown, idf: Float32Array | null): FittedFeaturizer {
  const r = fittedFeaturizerJsonSchema.safeParse(json);
  if (!r.success) {
    throw new ValidationError(`invalid featurizer: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  const { config, documentCount } = r.data;
  if (config.weighting === 'tfidf') {
    if (!(idf instanceof Float32Array) || idf.length !== config.dimension) {
      throw new ValidationError(`a tfidf featurizer needs an idf Float32Array of ${config.dimension} values, got ${idf ? idf.length : 'none'}`);
    }
    for (let i = 0; i < idf.length; i++) {
      if (!(idf[i]! >= 0 && Number.isFinite(idf[i]!))) throw new ValidationError(`idf[${i}] is ${idf[i]}, not a finite non-negative number`);
    }
  } else if (idf !== null && idf.length > 0) throw new ValidationError('a log-count featurizer has no idf vector');
  return { config, documentCount, idf: config.weighting === 'tfidf' ? idf : null };
}

function littleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

export function encodeFeaturizer(f: FittedFeaturizer): Uint8Array {
  if (!littleEndian()) throw new Error('encodeFeaturizer needs a little-endian platform');
  const json = new TextEncoder().encode(canonicalJson(featurizerToJSON(f)));
  const head = 8 + json.length;
  const pad = (4 - (head % 4)) % 4;
  const idfBytes = f.idf ? f.idf.byteLength : 0;
  const out = new Uint8Array(head + pad + idfBytes);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  if (f.idf) out.set(new Uint8Array(f.idf.buffer, f.idf.byteOffset, f.idf.byteLength), head + pad);
  return out;
}

export function decodeFeaturizer(bytes: Uint8Array): FittedFeaturizer {
  if (!littleEndian()) throw new Error('decodeFeaturizer needs a little-endian platform');
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new ValidationError('not a featurizer blob (bad magic)');
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const head = 8 + len;
  if (head > bytes.length) throw new ValidationError('featurizer blob truncated');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, head)));
  } catch {
    throw new ValidationError('featurizer blob: header is not JSON');
  }
  const start = head + ((4 - (head % 4)) % 4);
  const rest = bytes.subarray(Math.min(start, bytes.length));
  if (rest.length % 4 !== 0) throw new ValidationError('featurizer blob: idf length is not a multiple of 4 bytes');
  // new Uint8Array(…) copies: Buffer#slice (a Node Buffer is a Uint8Array) would share the whole pool.
  const idf = rest.length ? new Float32Array(new Uint8Array(rest).buffer) : null;
  return featurizerFromJSON(json, idf);
}
