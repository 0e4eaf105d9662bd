import type { Readable } from 'node:stream';
import { LineSplitter, type LineSink } from './lines.js';

/** Batches in flight at most (parsing, queued for a thread), so at most this many buffers are worth keeping. */
const MAX_SPARE = 8;

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

/**
 * Packs lines into LineBatch buffers as the splitter hands them over: one copy per line, no object per line.
 * Line buffers come back once parsed (recycle) and are reused: allocating a fresh 4 MiB buffer per batch
 * left tens of MiB of dead buffers waiting for the garbage collector.
 */
export class BatchPacker implements LineSink {
  readonly full: LineBatch[] = [];
  private readonly spare: ArrayBuffer[] = [];
  private buffer: Buffer;
  private offsets: Int32Array;
  private lines: Int32Array;
  private count = 0;
  private size = 0;
  private tooLongLines: number[] = [];
  private bytesRead = 0;

  constructor(
    private readonly maxLines = 2000,
    private readonly maxBytes = 4 << 20,
  ) {
    this.buffer = this.newBuffer();
    this.offsets = new Int32Array(2 * maxLines);
    this.lines = new Int32Array(maxLines);
  }

  line(lineNo: number, bytes: Buffer, start: number, end: number, bytesRead: number): void {
    this.bytesRead = bytesRead;
    const length = end - start;
    if (this.size + length > this.buffer.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(2 * this.buffer.length, this.size + length));
      this.buffer.copy(bigger, 0, 0, this.size);
      this.buffer = bigger;
    }
    bytes.copy(this.buffer, this.size, start, end);
    this.offsets[2 * this.count] = this.size;
    this.offsets[2 * this.count + 1] = this.size += length;
    this.lines[this.count++] = lineNo;
    this.packIfFull();
  }

  tooLong(lineNo: number, bytesRead: number): void {
    this.bytesRead = bytesRead;
    this.tooLongLines.push(lineNo);
    this.packIfFull();
  }

  /** A line buffer that its batch no longer needs. */
  recycle(buffer: ArrayBuffer): void {
    if (buffer.byteLength >= this.maxBytes && this.spare.length < MAX_SPARE) this.spare.push(buffer);
  }

  /** A batch closes once it reaches maxBytes, so room for one more typical line past it. */
  private newBuffer(): Buffer {
    const spare = this.spare.pop();
    return spare ? Buffer.from(spare) : Buffer.allocUnsafeSlow(this.maxBytes + (64 << 10));
  }

  private packIfFull(): void {
    if (this.count >= this.maxLines || this.size >= this.maxBytes) this.pack();
  }

  /** Moves the lines so far into a batch of their own. */
  pack(): void {
    if (this.count === 0 && this.tooLongLines.length === 0) return;
    this.full.push({
      buffer: this.buffer.subarray(0, this.size),
      offsets: this.offsets.slice(0, 2 * this.count),
      lines: this.lines.slice(0, this.count),
      tooLong: this.tooLongLines,
      bytesRead: this.bytesRead,
    });
    this.buffer = this.newBuffer();
    this.count = 0;
    this.size = 0;
    this.tooLongLines = [];
  }
}

export async function* lineBatches(input: Readable, maxLineBytes: number, packer = new BatchPacker()): AsyncGenerator<LineBatch> {
  const splitter = new LineSplitter(maxLineBytes);
  for await (const chunk of input) {
    splitter.push(chunk as Buffer, packer);
    yield* packer.full.splice(0);
  }
  splitter.end(packer);
  packer.pack();
  yield* packer.full.splice(0);
}
