import { open } from 'node:fs/promises';
import { BatchPacker } from './line-batches.js';
import { LineSplitter } from './lines.js';
import { readLineBatch, validateReadBatch, type ReadBatch } from './parse-batch.js';
import { transferablesOf, type RecordBatch, type SpareBuffers } from './record-batch.js';
import type { RecordContext } from './record.js';

/** From the main thread to a parse thread that reads the file itself. */
export type FileParseRequest =
  | { kind: 'read'; file: string; maxLineBytes: number }
  /** The project: validate what is read; `credits` batches may be sent ahead of the main thread. */
  | { kind: 'context'; ctx: Omit<RecordContext, 'labelIndex'>; credits: number }
  /** The main thread took a batch: one more may be sent; `spare`: buffers of batches nobody reads any more. */
  | { kind: 'more'; spare: SpareBuffers[] };

export type FileParseReply = { kind: 'batch'; records: RecordBatch; bytesRead: number } | { kind: 'end' } | { kind: 'error'; message: string };

const CHUNK_BYTES = 1 << 20;
/**
 * Batches read before the project's context arrives. On 2 cores the CLI's modules
 * take ~200 ms to load, in which the thread reads ~20,000 lines; 12 batches of
 * 2,000 lines of ~2 KB hold ~30 MiB (the values and float32 features, not the lines).
 */
const READ_AHEAD_BATCHES = 12;
/** Buffer sets kept for later batches: what is in flight at most (a few batches each way). */
const MAX_SPARE_SETS = 8;

/**
 * A parse thread that reads a JSONL file itself: it splits and parses the lines
 * (the costly part: features to float32, the rest through JSON.parse) and, once it
 * has the project, validates them and sends flat record batches, in line order,
 * at most `credits` ahead of the main thread. Reading can start before the
 * project is known, so that the CLI's start-up and the parsing overlap.
 */
export class FileParser {
  private ctx: RecordContext | undefined;
  private credits = 0;
  private readonly ready: { batch: ReadBatch; bytesRead: number }[] = [];
  /** Buffers of batches the main thread has written: features for reading, the rest for validating. */
  private readonly spareFeatures: ArrayBuffer[] = [];
  private readonly spare: Omit<SpareBuffers, 'features'>[] = [];
  private ended = false;
  private failure: string | undefined;
  private finished = false;
  private wake: (() => void) | undefined;

  constructor(private readonly send: (reply: FileParseReply, transfer: ArrayBuffer[]) => void) {}

  handle(msg: FileParseRequest): void {
    if (msg.kind === 'read') void this.read(msg.file, msg.maxLineBytes);
    else if (msg.kind === 'context') {
      this.ctx = { ...msg.ctx, labelIndex: new Map(msg.ctx.labels.map((l, i) => [l, i])) };
      this.credits += msg.credits;
    } else {
      this.credits++;
      for (const { features, ...rest } of msg.spare) {
        if (this.spare.length >= MAX_SPARE_SETS) break;
        this.spareFeatures.push(features);
        this.spare.push(rest);
      }
    }
    this.flush();
    this.wake?.();
  }

  /** Sends what the main thread may take now; the end or a failure once everything before it is sent. */
  private flush(): void {
    if (!this.ctx || this.finished) return;
    while (this.credits > 0 && this.ready.length > 0) {
      const { batch, bytesRead } = this.ready.shift()!;
      const records = validateReadBatch(batch, this.ctx, this.spare.pop());
      this.credits--;
      this.send({ kind: 'batch', records, bytesRead }, transferablesOf(records));
    }
    if (this.ready.length > 0) return;
    if (this.failure !== undefined) this.finish({ kind: 'error', message: this.failure });
    else if (this.ended) this.finish({ kind: 'end' });
  }

  private finish(reply: FileParseReply): void {
    this.finished = true;
    this.send(reply, []);
  }

  /** Room to read one more batch: ahead of the project, a few; then only what may be sent. */
  private hasRoom(): boolean {
    return this.ctx ? this.ready.length < Math.max(1, this.credits) : this.ready.length < READ_AHEAD_BATCHES;
  }

  private async read(file: string, maxLineBytes: number): Promise<void> {
    try {
      const handle = await open(file, 'r');
      try {
        // a file started ahead of the import (see parse-threads.ts) may prove to be gzip: the import will not take it
        const head = Buffer.alloc(2);
        await handle.read(head, 0, 2, 0);
        if (head[0] === 0x1f && head[1] === 0x8b) return;
        const splitter = new LineSplitter(maxLineBytes);
        const packer = new BatchPacker();
        const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
        for (;;) {
          while (!this.hasRoom()) await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          // the splitter copies what it keeps of a chunk, so one chunk buffer serves every read
          const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
          if (bytesRead === 0) break;
          splitter.push(chunk.subarray(0, bytesRead), packer);
          this.take(packer, maxLineBytes);
        }
        splitter.end(packer);
        packer.pack();
        this.take(packer, maxLineBytes);
      } finally {
        await handle.close();
      }
      this.ended = true;
    } catch (err) {
      this.failure = `reading the file failed: ${(err as Error).message}`;
    }
    this.flush();
  }

  private take(packer: BatchPacker, maxLineBytes: number): void {
    for (const lines of packer.full.splice(0)) {
      this.ready.push({ batch: readLineBatch(lines, maxLineBytes, this.spareFeatures.pop()), bytesRead: lines.bytesRead });
      packer.recycle(lines.buffer.buffer as ArrayBuffer);
    }
    this.flush();
  }
}
