import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { BatchPacker, lineBatches, type LineBatch } from './line-batches.js';
import { parseLineBatch, type ParsedBatch } from './parse-batch.js';
import { FileParseThread } from './file-parse-thread.js';
import { ParsePool } from './parse-pool.js';
import { PARALLEL_MIN_BYTES, PARSE_WORKER_FILE, autoParseThreads, discardPrestartedParseThreads } from './parse-threads.js';
import { buffersOf, recordsOf, type RecordBatch, type SpareBuffers } from './record-batch.js';
import { RecordError, dimensionMismatch, validateRecord, type RecordContext, type ValidRecord } from './record.js';
import { openSource, rawRecords, sniffFile, type ImportFormat, type RawRecord } from './sources.js';

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


/** Threads for a file of this size (unknown size: a stream, parsed inline). */
export function parseWorkersFor(sizeBytes: number | undefined, setting: number | 'auto'): number {
  if (sizeBytes === undefined || sizeBytes < PARALLEL_MIN_BYTES || !existsSync(PARSE_WORKER_FILE)) return 0;
  return setting === 'auto' ? autoParseThreads() : setting;
}

/** Records of CSV and JSON-array sources handed on together (they are read one by one). */
const GROUP_RECORDS = 2_000;
/**
 * Batches each thread may have queued. Deep enough that it keeps parsing while this thread writes a
 * staging transaction (~100 ms); measured 50-90 ms faster than 2 on a 50k-line import, for ~5 MB.
 */
const BATCHES_AHEAD = 4;
/** Batch buffer sets kept for reuse: about the batches of one staging transaction. */
const MAX_SPARE_BUFFERS = 12;

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
 * the buffers of those batches take later batches: a fresh set per batch left
 * tens of MiB of dead buffers waiting for the garbage collector.
 */
export class ParsedRecords implements AsyncIterable<RecordGroup> {
  private readonly handedOut: SpareBuffers[] = [];
  private readonly spare: SpareBuffers[] = [];

  constructor(
    private readonly source: string | Readable,
    private readonly ctx: RecordContext,
    private readonly opts: ParseOptions,
  ) {}

  /** The records handed out so far are written: nothing reads their features any more. */
  written(): void {
    for (const b of this.handedOut.splice(0)) if (this.spare.length < MAX_SPARE_BUFFERS) this.spare.push(b);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RecordGroup> {
    const checkDim = dimensionCheck(this.ctx);
    if (typeof this.source === 'string' && this.opts.workers === 1 && this.opts.format !== 'csv' && sniffFile(this.source) === 'jsonl') {
      yield* this.fileThread(this.source, checkDim);
      return;
    }
    const { kind, stream } = await openSource(this.source, this.opts.format);
    if (kind === 'jsonl') {
      yield* this.jsonl(stream, checkDim);
      return;
    }
    void discardPrestartedParseThreads();
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

  /** A plain JSONL file with one parse thread: the thread reads it (and may have started before this import). */
  private async *fileThread(file: string, checkDim: DimCheck): AsyncGenerator<RecordGroup> {
    const { labels, multiLabel, defaultSplit, labelSource } = this.ctx;
    const thread = FileParseThread.open(file, this.opts.maxLineBytes);
    void discardPrestartedParseThreads();
    try {
      for await (const { records, bytesRead } of thread.batches({ labels, multiLabel, defaultSplit, labelSource, featureDim: null }, BATCHES_AHEAD)) {
        this.handedOut.push(buffersOf(records));
        yield batchGroup(records, bytesRead, checkDim);
        // every set written so far goes back: between two staging transactions the thread would otherwise allocate
        thread.more(this.spare.splice(0));
      }
    } finally {
      await thread.destroy();
    }
  }

  /** Several parse threads fed with batches of lines, or parsing on this thread. */
  private async *jsonl(stream: Readable, checkDim: DimCheck): AsyncGenerator<RecordGroup> {
    const { workers, maxLineBytes } = this.opts;
    // the dimension across batches is checked as the records are read, in order; each batch is parsed without it
    const { labelIndex, ...plainCtx } = { ...this.ctx, featureDim: null };
    const pool = workers > 0 ? new ParsePool(PARSE_WORKER_FILE, workers) : undefined;
    void discardPrestartedParseThreads();
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
      this.handedOut.push(buffersOf(records));
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
