import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { projectRoot } from '../../../core/paths.js';
import { BatchPacker, lineBatches, type LineBatch } from './line-batches.js';
import { parseLineBatch, type ParsedBatch } from './parse-batch.js';
import { ParsePool } from './parse-pool.js';
import { recordsOf, type RecordBatch } from './record-batch.js';
import { RecordError, dimensionMismatch, validateRecord, type RecordContext, type ValidRecord } from './record.js';
import { openSource, rawRecords, type ImportFormat, type RawRecord } from './sources.js';

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
 * 'auto', one as soon as there are two cores: the thread loads only the parsing
 * code and hands back flat buffers, so it costs 7-20 MiB rather than the ~80 of a
 * general worker, and on 2 cores it makes a 50k-line import ~9% faster and a
 * 200k-line one ~40% (BENCHMARKS.md §1). More only where cores are to spare.
 */
export function parseWorkersFor(sizeBytes: number | undefined, setting: number | 'auto'): number {
  if (sizeBytes === undefined || sizeBytes < PARALLEL_MIN_BYTES || !existsSync(WORKER_FILE)) return 0;
  if (setting !== 'auto') return setting;
  const cores = availableParallelism();
  return cores >= 4 ? Math.min(4, cores - 2) : cores >= 2 ? 1 : 0;
}

/** Records of CSV and JSON-array sources handed on together (they are read one by one). */
const GROUP_RECORDS = 2_000;
/**
 * Batches each thread may have queued. Deep enough that it keeps parsing while this thread writes a
 * staging transaction (~100 ms); measured 50-90 ms faster than 2 on a 50k-line import, for ~5 MB.
 */
const BATCHES_AHEAD = 4;
/** Feature buffers kept for reuse: about the batches of one staging transaction. */
const MAX_SPARE_FEATURES = 12;

type DimCheck = (p: ParsedRecord) => ParsedRecord;

/** Fixes the feature dimension with the first record that has features, in order, and rejects the others. */
function dimensionCheck(ctx: RecordContext): DimCheck {
  return (p) => {
    const f = p.rec?.features;
    if (!f) return p;
    const dim = f.length / 4;
    if (ctx.featureDim === null) ctx.featureDim = dim;
    else if (dim !== ctx.featureDim) return { line: p.line, error: { field: 'features', reason: dimensionMismatch(dim, ctx.featureDim) }, bytesRead: p.bytesRead };
    return p;
  };
}

function validated(r: RawRecord, ctx: RecordContext, checkDim: DimCheck): ParsedRecord {
  if (r.error || r.fatal) return r as ParsedRecord;
  try {
    return checkDim({ line: r.line, rec: validateRecord(r.value, ctx), bytesRead: r.bytesRead });
  } catch (err) {
    if (!(err instanceof RecordError)) throw err;
    return { line: r.line, error: { ...(err.field ? { field: err.field } : {}), reason: err.message }, bytesRead: r.bytesRead };
  }
}

/**
 * Records in line order, a parsed JSONL batch or a few CSV/JSON records, read once
 * (a JSONL batch makes its records as they are read: see RecordBatch).
 */
export interface RecordGroup {
  readonly length: number;
  /** Bytes of text, features and meta. */
  readonly payloadBytes: number;
  /** Of the source, when its last record was read. */
  readonly bytesRead: number;
  /** A record that stops the import (bad CSV header, broken JSON array); such a group holds only it. */
  readonly fatal?: ParsedRecord;
  records(): Iterable<ParsedRecord>;
}

function arrayGroup(records: ParsedRecord[]): RecordGroup {
  let payloadBytes = 0;
  for (const { rec } of records) if (rec) payloadBytes += (rec.features?.length ?? 0) + (rec.text?.length ?? 0) + (rec.meta?.length ?? 0);
  return { length: records.length, payloadBytes, bytesRead: records.at(-1)?.bytesRead ?? 0, records: () => records };
}

function batchGroup(batch: RecordBatch, bytesRead: number, checkDim: DimCheck): RecordGroup {
  return {
    length: batch.count,
    payloadBytes: batch.payloadBytes,
    bytesRead,
    *records() {
      for (const r of recordsOf(batch, bytesRead)) yield checkDim(r);
    },
  };
}

/**
 * Validated records from any supported source, a group (~2,000) at a time, so
 * that the caller pays no promise per record. JSONL is parsed in batches, on
 * worker threads when `workers` > 0, and handed back in line order. The feature
 * dimension is fixed by the first record that has features, in the order the
 * caller reads them.
 *
 * A JSONL record's features are a view into its batch's feature buffer. Once the
 * caller has written the records handed out so far it says so (`written()`), and
 * those buffers take the features of later batches: a fresh buffer per batch left
 * tens of MiB of dead buffers waiting for the garbage collector.
 */
export class ParsedRecords implements AsyncIterable<RecordGroup> {
  private readonly handedOut: ArrayBuffer[] = [];
  private readonly spare: ArrayBuffer[] = [];

  constructor(
    private readonly source: string | Readable,
    private readonly ctx: RecordContext,
    private readonly opts: ParseOptions,
  ) {}

  /** The records handed out so far are written: nothing reads their features any more. */
  written(): void {
    for (const b of this.handedOut.splice(0)) if (this.spare.length < MAX_SPARE_FEATURES) this.spare.push(b);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RecordGroup> {
    const { kind, stream } = await openSource(this.source, this.opts.format);
    const checkDim = dimensionCheck(this.ctx);
    if (kind === 'jsonl') {
      yield* this.jsonl(stream, checkDim);
      return;
    }
    let group: ParsedRecord[] = [];
    for await (const r of rawRecords(kind, stream, this.opts.maxLineBytes)) {
      if (r.fatal) {
        if (group.length) yield arrayGroup(group);
        yield { ...arrayGroup([]), length: 1, fatal: r as ParsedRecord };
        return;
      }
      group.push(validated(r, this.ctx, checkDim));
      if (group.length >= GROUP_RECORDS) {
        yield arrayGroup(group);
        group = [];
      }
    }
    if (group.length) yield arrayGroup(group);
  }

  private async *jsonl(stream: Readable, checkDim: DimCheck): AsyncGenerator<RecordGroup> {
    const { workers, maxLineBytes } = this.opts;
    // the dimension across batches is checked as the records are read, in order; each batch is parsed without it
    const { labelIndex, ...plainCtx } = { ...this.ctx, featureDim: null };
    const pool = workers > 0 ? new ParsePool(WORKER_FILE, workers) : undefined;
    const packer = new BatchPacker();
    const parse = (batch: LineBatch): Promise<ParsedBatch> => {
      const spare = this.spare.pop();
      return pool
        ? pool.run({ batch, ctx: plainCtx, maxLineBytes, ...(spare ? { spare } : {}) })
        : Promise.resolve(parseLineBatch(batch, { ...plainCtx, labelIndex }, maxLineBytes, spare));
    };
    const inFlight: { bytesRead: number; result: Promise<ParsedBatch>; ready: boolean }[] = [];
    const drainOne = async (): Promise<RecordGroup> => {
      const { bytesRead, result } = inFlight.shift()!;
      const { records, input } = await result;
      packer.recycle(input);
      this.handedOut.push(records.features);
      return batchGroup(records, bytesRead, checkDim);
    };
    try {
      for await (const batch of lineBatches(stream, maxLineBytes, packer)) {
        const entry = { bytesRead: batch.bytesRead, result: parse(batch), ready: false };
        void entry.result.then(() => (entry.ready = true), () => {});
        inFlight.push(entry);
        // hand on what is parsed already; read ahead while the threads work, up to a few batches each
        // (so that they have work queued while this thread writes a transaction)
        while (inFlight[0]?.ready) yield await drainOne();
        if (inFlight.length > (pool ? workers * BATCHES_AHEAD : 0)) yield await drainOne();
      }
      while (inFlight.length) yield await drainOne();
    } finally {
      await Promise.allSettled(inFlight.map((f) => f.result));
      await pool?.destroy();
    }
  }
}
