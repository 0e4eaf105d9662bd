import { FastLineReader } from './fast-line.js';
import type { LineBatch } from './line-batches.js';
import { decodeLine, tooLongMessage } from './lines.js';
import { ByteArena, RecordBatchBuilder, type RecordBatch, type SpareBuffers } from './record-batch.js';
import { RecordError, validateRecord, type RecordContext } from './record.js';

export interface ParsedBatch {
  records: RecordBatch;
  /** The batch's line buffer, handed back for the next batch (from a worker: transferred back). */
  input: ArrayBuffer;
}

/** A line read as JSON but not yet checked against a project: the value, or why it cannot be read. */
interface ReadLine {
  line: number;
  value?: unknown;
  /** Where the fast path's features are in the batch's `features` (the value's `features` is then null). */
  featuresAt?: number;
  featuresLength?: number;
  error?: string;
}

/**
 * A batch of lines parsed as JSON, before validation: what needs no project. The
 * parse thread reads a file this far while the import is still starting.
 */
export interface ReadBatch {
  lines: ReadLine[];
  /** The fast path's features, back to back (`featuresLength` of them); they become the validated batch's. */
  features: Float32Array;
  featuresLength: number;
  /** Bytes of the lines, for the validated batch's feature buffer. */
  inputBytes: number;
}

const reader = new FastLineReader();

/** The line's JSON value, or why it cannot be read; undefined for a blank line. */
function readValue(buf: Buffer, start: number, end: number): { value?: unknown; read?: Float32Array; error?: string } | undefined {
  const fast = reader.read(buf, start, end);
  if (fast) return { value: fast.value, read: fast.features };
  const decoded = decodeLine(buf.subarray(start, end));
  if (decoded.error) return { error: decoded.error };
  if (decoded.text!.trim() === '') return undefined;
  try {
    return { value: JSON.parse(decoded.text!) };
  } catch (err) {
    return { error: malformed(err) };
  }
}

/**
 * Decodes and parses a batch of JSONL lines; nothing in it refers to the batch's line buffer. `spare`: the
 * feature buffer of a batch nobody reads any more (a fresh one per batch piled up as garbage).
 */
export function readLineBatch(batch: LineBatch, maxLineBytes: number, spare?: ArrayBuffer): ReadBatch {
  const buf = Buffer.from(batch.buffer.buffer, batch.buffer.byteOffset, batch.buffer.byteLength);
  const lines: ReadLine[] = [];
  // float32 takes ~0.55x the bytes of numbers written with 4 decimals. Sized by the line buffer's capacity, which
  // every batch shares, not by its lines: else a spare from a batch a few bytes shorter did not fit, a fresh buffer
  // was made, and ~40% of the batches left 2.6 MB of garbage that only a full collection frees (+40 MiB of peak RSS at 200k lines)
  const expected = Math.max(256, Math.ceil((batch.buffer.buffer.byteLength * 0.6) / 4));
  let features = spare && spare.byteLength >= 4 * expected ? new Float32Array(spare, 0, spare.byteLength >> 2) : new Float32Array(expected);
  let used = 0;
  const tooLong = tooLongMessage(maxLineBytes);
  let nextTooLong = 0;
  for (let i = 0; i < batch.lines.length; i++) {
    const line = batch.lines[i]!;
    while (nextTooLong < batch.tooLong.length && batch.tooLong[nextTooLong]! < line) lines.push({ line: batch.tooLong[nextTooLong++]!, error: tooLong });
    const v = readValue(buf, batch.offsets[2 * i]!, batch.offsets[2 * i + 1]!);
    if (v === undefined) continue;
    if (v.error !== undefined) {
      lines.push({ line, error: v.error });
      continue;
    }
    if (!v.read) {
      lines.push({ line, value: v.value });
      continue;
    }
    if (used + v.read.length > features.length) {
      const bigger = new Float32Array(2 * (used + v.read.length));
      bigger.set(features.subarray(0, used));
      features = bigger;
    }
    features.set(v.read, used);
    lines.push({ line, value: v.value, featuresAt: used, featuresLength: v.read.length });
    used += v.read.length;
  }
  while (nextTooLong < batch.tooLong.length) lines.push({ line: batch.tooLong[nextTooLong++]!, error: tooLong });
  return { lines, features, featuresLength: used, inputBytes: buf.length };
}

/** Validates a read batch against the project; the project's feature dimension across batches is checked by the caller, in order. */
export function validateReadBatch(read: ReadBatch, ctx: RecordContext, spare?: Omit<SpareBuffers, 'features'>): RecordBatch {
  const readBytes = new Uint8Array(read.features.buffer, read.features.byteOffset, read.features.byteLength);
  const out = new RecordBatchBuilder(read.lines.length, ByteArena.over(readBytes, 4 * read.featuresLength), spare);
  for (const l of read.lines) {
    if (l.error !== undefined) {
      out.addError(l.line, { reason: l.error });
      continue;
    }
    const features = l.featuresAt === undefined ? undefined : read.features.subarray(l.featuresAt, l.featuresAt + l.featuresLength!);
    try {
      out.addRecord(l.line, validateRecord(l.value, ctx, features));
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      out.addError(l.line, { ...(err.field ? { field: err.field } : {}), reason: err.message });
    }
  }
  return out.build();
}

/**
 * Decodes, parses and validates a batch of JSONL lines. Runs in a worker thread
 * for large files (workers/import-parse.worker.ts) and inline otherwise.
 */
export function parseLineBatch(batch: LineBatch, ctx: RecordContext, maxLineBytes: number, spare?: SpareBuffers): ParsedBatch {
  const read = readLineBatch(batch, maxLineBytes, spare?.features);
  return { records: validateReadBatch(read, ctx, spare), input: batch.buffer.buffer as ArrayBuffer };
}

export function malformed(err: unknown, prefix = ''): string {
  const why = (err as Error).message.replace(/^(Unexpected|Expected)/, (m) => m.toLowerCase());
  return `${prefix}malformed JSON: ${why}`;
}
