import { SPLITS } from '../../../core/labels.js';
import type { RecordAnnotation, ValidRecord } from './record.js';

/**
 * A parsed batch of JSONL lines in a few flat buffers instead of thousands of
 * objects. From a parse thread it moves by transfer, not structured clone, and
 * the main thread holds it until its staging transaction: as objects, those
 * records outlived the young generation and piled up as old garbage (~60 MB of
 * peak RSS); as buffers, each record's strings and objects are made right before
 * its INSERT and die young.
 */
export interface RecordBatch {
  /** Entries (records and rejected lines) in line order. */
  count: number;
  /** STRIDE ints per entry, see the offsets below. */
  ints: Int32Array;
  /** Index in SPLITS per entry. */
  splits: Uint8Array;
  /** UTF-8 of the ids, texts, metas and content hashes. */
  strings: Uint8Array;
  /** float32 features, back to back. */
  features: ArrayBuffer;
  /** [entry, annotations] for the records that have any. */
  annotations: [number, RecordAnnotation[]][];
  /** [entry, why] for the rejected lines. */
  errors: [number, { field?: string; reason: string }][];
  /** Bytes of text, features and meta: what a staging transaction will hold. */
  payloadBytes: number;
}

const LINE = 0, ID = 1, TEXT = 3, META = 5, HASH = 7, FEATURES = 9;
const STRIDE = 11;
const NULL = -1;

/** Growable bytes; `spare` is a buffer whose old contents nobody reads any more. */
export class ByteArena {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity: number, spare?: ArrayBuffer) {
    this.bytes = spare && spare.byteLength >= capacity ? new Uint8Array(spare) : new Uint8Array(Math.max(capacity, 4096));
  }

  /** An arena whose first `length` bytes are already written. */
  static over(bytes: Uint8Array, length: number): ByteArena {
    const arena = new ByteArena(0, bytes.buffer as ArrayBuffer);
    arena.bytes = bytes;
    arena.length = length;
    return arena;
  }

  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const bigger = new Uint8Array(2 * (this.length + n));
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }

  add(data: Uint8Array): number {
    this.reserve(data.length);
    const at = this.length;
    this.bytes.set(data, at);
    this.length += data.length;
    return at;
  }
}

/**
 * The buffers of a batch the main thread has written, for a later batch: a fresh set
 * per batch (~2.5 MiB) died on the main thread, which allocates little and so
 * collected them late (+40 MiB of peak RSS over 200k lines).
 */
export interface SpareBuffers {
  ints: ArrayBuffer;
  splits: ArrayBuffer;
  strings: ArrayBuffer;
  features: ArrayBuffer;
}

export function buffersOf(batch: RecordBatch): SpareBuffers {
  return { ints: batch.ints.buffer as ArrayBuffer, splits: batch.splits.buffer as ArrayBuffer, strings: batch.strings.buffer as ArrayBuffer, features: batch.features };
}

export function spareTransferables(spare: SpareBuffers | undefined): ArrayBuffer[] {
  return spare ? [spare.ints, spare.splits, spare.strings, spare.features] : [];
}

/** Builds a RecordBatch entry by entry (in a parse thread, or inline). */
export class RecordBatchBuilder {
  private ints: Int32Array;
  private splits: Uint8Array;
  private count = 0;
  private readonly strings: ByteArena;
  /** A Buffer over `strings.bytes`, for its string writes. */
  private stringBuf: Buffer;
  /** The read features the arena starts with: a record whose features are a view of them is not copied. */
  private readonly readFeatures: ArrayBufferLike;
  private readonly annotations: [number, RecordAnnotation[]][] = [];
  private readonly errors: [number, { field?: string; reason: string }][] = [];
  private payloadBytes = 0;

  /** `features`: the batch's read features, to which features read otherwise are added. */
  constructor(
    expected: number,
    private readonly features: ByteArena,
    spare?: Omit<SpareBuffers, 'features'>,
  ) {
    this.readFeatures = features.bytes.buffer;
    const entries = Math.max(expected, 16);
    this.ints = spare && spare.ints.byteLength >= 4 * STRIDE * entries ? new Int32Array(spare.ints) : new Int32Array(STRIDE * entries);
    this.splits = spare && spare.splits.byteLength >= entries ? new Uint8Array(spare.splits) : new Uint8Array(entries);
    this.strings = new ByteArena(128 * expected, spare?.strings);
    this.stringBuf = Buffer.from(this.strings.bytes.buffer);
  }

  addRecord(line: number, rec: ValidRecord): void {
    const o = this.entry(line);
    this.string(o + ID, rec.externalId, 'utf8');
    this.string(o + TEXT, rec.text, 'utf8');
    this.string(o + META, rec.meta, 'utf8');
    this.string(o + HASH, rec.contentHash, 'latin1');
    // growing the arena keeps what it holds at the same offsets, so a view of the read features stays valid
    this.ints[o + FEATURES] = !rec.features ? 0 : rec.features.buffer === this.readFeatures ? rec.features.byteOffset : this.features.add(rec.features);
    this.ints[o + FEATURES + 1] = rec.features?.length ?? 0;
    this.splits[this.count - 1] = SPLITS.indexOf(rec.split);
    if (rec.annotations.length) this.annotations.push([this.count - 1, rec.annotations]);
    this.payloadBytes += (rec.features?.length ?? 0) + (rec.text?.length ?? 0) + (rec.meta?.length ?? 0);
  }

  addError(line: number, error: { field?: string; reason: string }): void {
    this.entry(line);
    this.errors.push([this.count - 1, error]);
  }

  build(): RecordBatch {
    return {
      count: this.count,
      ints: this.ints.subarray(0, STRIDE * this.count),
      splits: this.splits.subarray(0, this.count),
      strings: this.strings.bytes.subarray(0, this.strings.length),
      features: this.features.bytes.buffer as ArrayBuffer,
      annotations: this.annotations,
      errors: this.errors,
      payloadBytes: this.payloadBytes,
    };
  }

  private entry(line: number): number {
    if (STRIDE * (this.count + 1) > this.ints.length) {
      const ints = new Int32Array(2 * this.ints.length);
      ints.set(this.ints);
      this.ints = ints;
      const splits = new Uint8Array(2 * this.splits.length);
      splits.set(this.splits);
      this.splits = splits;
    }
    const o = STRIDE * this.count++;
    this.ints[o + LINE] = line;
    return o;
  }

  /** Writes `s` at the end of the strings and its start and end at `ints[at]`, `ints[at + 1]` (-1 for null). */
  private string(at: number, s: string | null, encoding: 'utf8' | 'latin1'): void {
    if (s === null) {
      this.ints[at] = this.ints[at + 1] = NULL;
      return;
    }
    this.strings.reserve(3 * s.length);
    if (this.stringBuf.buffer !== this.strings.bytes.buffer) this.stringBuf = Buffer.from(this.strings.bytes.buffer);
    const start = this.strings.length;
    this.strings.length += this.stringBuf.write(s, start, encoding);
    this.ints[at] = start;
    this.ints[at + 1] = this.strings.length;
  }
}

/**
 * The entries of a batch as records, made one at a time as they are written.
 * Features are views into `batch.features`, valid until the caller says they are written.
 */
export function* recordsOf(
  batch: RecordBatch,
  bytesRead: number,
): Generator<{ line: number; rec?: ValidRecord; error?: { field?: string; reason: string }; bytesRead: number }> {
  const { ints, splits } = batch;
  const strings = Buffer.from(batch.strings.buffer, batch.strings.byteOffset, batch.strings.byteLength);
  const str = (at: number): string | null => (ints[at]! === NULL ? null : strings.toString('utf8', ints[at], ints[at + 1]));
  const annotations = new Map(batch.annotations);
  const errors = new Map(batch.errors);
  for (let i = 0; i < batch.count; i++) {
    const o = STRIDE * i;
    const line = ints[o + LINE]!;
    const error = errors.get(i);
    if (error) {
      yield { line, error, bytesRead };
      continue;
    }
    const featureLength = ints[o + FEATURES + 1]!;
    const rec: ValidRecord = {
      externalId: str(o + ID)!,
      split: SPLITS[splits[i]!]!,
      text: str(o + TEXT),
      features: featureLength ? Buffer.from(batch.features, ints[o + FEATURES], featureLength) : null,
      meta: str(o + META),
      annotations: annotations.get(i) ?? [],
      contentHash: strings.toString('latin1', ints[o + HASH], ints[o + HASH + 1]),
    };
    yield { line, rec, bytesRead };
  }
}

/** The buffers to transfer with a batch. */
export function transferablesOf(batch: RecordBatch): ArrayBuffer[] {
  return [batch.ints.buffer, batch.splits.buffer, batch.strings.buffer, batch.features] as ArrayBuffer[];
}
