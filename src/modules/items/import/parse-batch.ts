import { FastLineReader } from './fast-line.js';
import type { LineBatch } from './line-batches.js';
import { decodeLine, tooLongMessage } from './lines.js';
import { RecordBatchBuilder, type RecordBatch } from './record-batch.js';
import { RecordError, validateRecord, type RecordContext } from './record.js';

export interface ParsedBatch {
  records: RecordBatch;
  /** The batch's line buffer, handed back for the next batch (from a worker: transferred back). */
  input: ArrayBuffer;
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
 * Decodes, parses and validates a batch of JSONL lines. Runs in a worker thread
 * for large files (workers/import-parse.worker.ts) and inline otherwise; the
 * project's feature dimension across batches is checked by the caller, in order.
 */
export function parseLineBatch(batch: LineBatch, ctx: RecordContext, maxLineBytes: number, spareFeatures?: ArrayBuffer): ParsedBatch {
  const buf = Buffer.from(batch.buffer.buffer, batch.buffer.byteOffset, batch.buffer.byteLength);
  // float32 takes ~0.55x the bytes of numbers written with 4 decimals; the buffer grows for denser text
  const out = new RecordBatchBuilder(batch.lines.length + batch.tooLong.length, Math.ceil(buf.length * 0.6), spareFeatures);
  const tooLong = tooLongMessage(maxLineBytes);
  let nextTooLong = 0;
  for (let i = 0; i < batch.lines.length; i++) {
    const line = batch.lines[i]!;
    while (nextTooLong < batch.tooLong.length && batch.tooLong[nextTooLong]! < line) out.addError(batch.tooLong[nextTooLong++]!, { reason: tooLong });
    const v = readValue(buf, batch.offsets[2 * i]!, batch.offsets[2 * i + 1]!);
    if (v === undefined) continue;
    if (v.error !== undefined) {
      out.addError(line, { reason: v.error });
      continue;
    }
    try {
      out.addRecord(line, validateRecord(v.value, ctx, v.read));
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      out.addError(line, { ...(err.field ? { field: err.field } : {}), reason: err.message });
    }
  }
  while (nextTooLong < batch.tooLong.length) out.addError(batch.tooLong[nextTooLong++]!, { reason: tooLong });
  return { records: out.build(), input: batch.buffer.buffer as ArrayBuffer };
}

export function malformed(err: unknown, prefix = ''): string {
  const why = (err as Error).message.replace(/^(Unexpected|Expected)/, (m) => m.toLowerCase());
  return `${prefix}malformed JSON: ${why}`;
}
