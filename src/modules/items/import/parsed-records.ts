import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Piscina } from 'piscina';
import { projectRoot } from '../../../core/paths.js';
import { lineBatches, parseLineBatch, type LineBatch, type ParsedBatch } from './parse-batch.js';
import { RecordError, dimensionMismatch, validateRecord, type RecordContext, type ValidRecord } from './record.js';
import { openSource, rawRecords, type ImportFormat } from './sources.js';

/** One record of the source after validation: a record to write, or why the line is rejected. */
export interface ParsedRecord {
  line: number;
  rec?: ValidRecord;
  error?: { field?: string; reason: string };
  /** The source cannot be read further (bad CSV header, broken JSON array). */
  fatal?: boolean;
  bytesRead: number;
}

export interface ParseOptions {
  format: ImportFormat;
  maxLineBytes: number;
  /** Worker threads for JSONL parsing; 0 parses on this thread. */
  workers: number;
}

const WORKER_FILE = join(projectRoot(), 'dist', 'workers', 'import-parse.worker.js');

/** Worker threads pay off only for big inputs: below this, parsing inline is faster than starting them. */
export const PARALLEL_MIN_BYTES = 8 << 20;

/**
 * Threads for a file of this size (unknown size: a stream, parsed inline). With
 * 'auto', only where cores are to spare: measured on 2 cores, each thread added
 * 15-20% throughput but ~90 MB of memory (BENCHMARKS.md), so 2 cores parse inline.
 */
export function parseWorkersFor(sizeBytes: number | undefined, setting: number | 'auto'): number {
  if (sizeBytes === undefined || sizeBytes < PARALLEL_MIN_BYTES || !existsSync(WORKER_FILE)) return 0;
  if (setting !== 'auto') return setting;
  const cores = availableParallelism();
  return cores >= 4 ? Math.min(4, cores - 2) : 0;
}

/**
 * Streams validated records from any supported source. JSONL is parsed in
 * batches, on worker threads when `workers` > 0, and handed back in line order;
 * the feature dimension is fixed by the first record that has features, in order.
 */
export async function* parsedRecords(source: string | Readable, ctx: RecordContext, opts: ParseOptions): AsyncGenerator<ParsedRecord> {
  const { kind, stream } = await openSource(source, opts.format);
  const checkDim = (p: ParsedRecord): ParsedRecord => {
    const f = p.rec?.features;
    if (!f) return p;
    const dim = f.length / 4;
    if (ctx.featureDim === null) ctx.featureDim = dim;
    else if (dim !== ctx.featureDim) return { line: p.line, error: { field: 'features', reason: dimensionMismatch(dim, ctx.featureDim) }, bytesRead: p.bytesRead };
    return p;
  };
  if (kind !== 'jsonl') {
    for await (const r of rawRecords(kind, stream, opts.maxLineBytes)) {
      if (r.error || r.fatal) {
        yield r as ParsedRecord;
        continue;
      }
      try {
        yield checkDim({ line: r.line, rec: validateRecord(r.value, ctx), bytesRead: r.bytesRead });
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        yield { line: r.line, error: { ...(err.field ? { field: err.field } : {}), reason: err.message }, bytesRead: r.bytesRead };
      }
    }
    return;
  }
  const { labelIndex: _unused, ...plainCtx } = ctx;
  void _unused;
  const pool = opts.workers > 0 ? new Piscina({ filename: WORKER_FILE, minThreads: opts.workers, maxThreads: opts.workers }) : undefined;
  const inFlight: { batch: LineBatch; result: Promise<ParsedBatch> }[] = [];
  const parse = (batch: LineBatch): Promise<ParsedBatch> =>
    pool
      ? (pool.run({ batch, ctx: { ...plainCtx, featureDim: null }, maxLineBytes: opts.maxLineBytes }, { transferList: [batch.buffer.buffer as ArrayBuffer] }) as Promise<ParsedBatch>)
      : Promise.resolve(parseLineBatch(batch, { ...ctx, featureDim: null }, opts.maxLineBytes));
  async function* drainOne(): AsyncGenerator<ParsedRecord> {
    const { batch, result } = inFlight.shift()!;
    const { parsed, features } = await result;
    for (const p of parsed) {
      if (p.error) yield { line: p.line, error: p.error, bytesRead: batch.bytesRead };
      else {
        const { featureOffset, featureLength, ...rest } = p.record!;
        const rec: ValidRecord = { ...rest, features: featureLength ? Buffer.from(features, featureOffset, featureLength) : null };
        yield checkDim({ line: p.line, rec, bytesRead: batch.bytesRead });
      }
    }
  }
  try {
    for await (const batch of lineBatches(stream, opts.maxLineBytes)) {
      const bytesRead = batch.bytesRead;
      inFlight.push({ batch: { ...batch, bytesRead }, result: parse(batch) });
      if (inFlight.length > (pool ? opts.workers * 2 : 0)) yield* drainOne();
    }
    while (inFlight.length) yield* drainOne();
  } finally {
    await Promise.allSettled(inFlight.map((f) => f.result));
    await pool?.destroy();
  }
}
