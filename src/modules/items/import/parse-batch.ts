import type { Readable } from 'node:stream';
import { decodeLine, splitLines, tooLongMessage } from './lines.js';
import { RecordError, validateRecord, type RecordContext, type ValidRecord } from './record.js';

/** Lines of a JSONL file packed into one buffer, so a batch moves to a worker thread without copying. */
export interface LineBatch {
  buffer: Uint8Array;
  /** Start and end of each line in `buffer`. */
  offsets: Int32Array;
  lines: Int32Array;
  /** Lines over the length limit (not in the buffer). */
  tooLong: number[];
  bytesRead: number;
}

export async function* lineBatches(input: Readable, maxLineBytes: number, maxLines = 2000, maxBytes = 4 << 20): AsyncGenerator<LineBatch> {
  let pieces: Buffer[] = [];
  let lines: number[] = [];
  let tooLong: number[] = [];
  let size = 0;
  let bytesRead = 0;
  const pack = (): LineBatch => {
    const buffer = new Uint8Array(size);
    const offsets = new Int32Array(pieces.length * 2);
    let at = 0;
    pieces.forEach((p, i) => {
      buffer.set(p, at);
      offsets[2 * i] = at;
      offsets[2 * i + 1] = at += p.length;
    });
    const batch = { buffer, offsets, lines: Int32Array.from(lines), tooLong, bytesRead };
    pieces = [];
    lines = [];
    tooLong = [];
    size = 0;
    return batch;
  };
  for await (const l of splitLines(input, maxLineBytes)) {
    bytesRead = l.bytesRead;
    if (l.tooLong) tooLong.push(l.line);
    else {
      pieces.push(l.bytes!);
      lines.push(l.line);
      size += l.bytes!.length;
    }
    if (pieces.length >= maxLines || size >= maxBytes) yield pack();
  }
  if (pieces.length || tooLong.length) yield pack();
}

/** One parsed line: a valid record or the reason it was rejected. Features live in the batch's shared buffer. */
export interface ParsedLine {
  line: number;
  record?: Omit<ValidRecord, 'features'> & { featureOffset: number; featureLength: number };
  error?: { field?: string; reason: string };
}

export interface ParsedBatch {
  parsed: ParsedLine[];
  /** float32 features of every record, back to back. */
  features: ArrayBuffer;
}

/**
 * Decodes, parses and validates a batch of JSONL lines. Runs in a worker thread
 * for large files (workers/import-parse.worker.ts) and inline otherwise; the
 * project's feature dimension across batches is checked by the caller, in order.
 */
export function parseLineBatch(batch: LineBatch, ctx: RecordContext, maxLineBytes: number): ParsedBatch {
  const parsed: ParsedLine[] = batch.tooLong.map((line) => ({ line, error: { reason: tooLongMessage(maxLineBytes) } }));
  const valid: { p: ParsedLine; features: Buffer | null }[] = [];
  let featureBytes = 0;
  for (let i = 0; i < batch.lines.length; i++) {
    const line = batch.lines[i]!;
    const decoded = decodeLine(batch.buffer.subarray(batch.offsets[2 * i]!, batch.offsets[2 * i + 1]!));
    if (decoded.error) {
      parsed.push({ line, error: { reason: decoded.error } });
      continue;
    }
    if (decoded.text!.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(decoded.text!);
    } catch (err) {
      parsed.push({ line, error: { reason: malformed(err) } });
      continue;
    }
    try {
      const { features, ...rest } = validateRecord(value, ctx);
      const p: ParsedLine = { line, record: { ...rest, featureOffset: featureBytes, featureLength: features?.length ?? 0 } };
      featureBytes += features?.length ?? 0;
      valid.push({ p, features });
      parsed.push(p);
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      parsed.push({ line, error: { ...(err.field ? { field: err.field } : {}), reason: err.message } });
    }
  }
  const features = new Uint8Array(featureBytes);
  for (const v of valid) if (v.features) features.set(v.features, v.p.record!.featureOffset);
  if (batch.tooLong.length) parsed.sort((a, b) => a.line - b.line);
  return { parsed, features: features.buffer };
}

export function malformed(err: unknown, prefix = ''): string {
  const why = (err as Error).message.replace(/^(Unexpected|Expected)/, (m) => m.toLowerCase());
  return `${prefix}malformed JSON: ${why}`;
}
