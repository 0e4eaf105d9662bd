import { Worker } from 'node:worker_threads';
import type { FileParseReply, FileParseRequest } from './file-parser.js';
import { PARSE_WORKER_FILE, takeParseThreadFor } from './parse-threads.js';
import { spareTransferables, type RecordBatch, type SpareBuffers } from './record-batch.js';
import type { RecordContext } from './record.js';

/**
 * The main thread's side of a parse thread that reads the file itself (FileParser):
 * one started ahead for this file (the CLI's warm-up) if there is one, else a new one.
 */
export class FileParseThread {
  private readonly replies: FileParseReply[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private done = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: FileParseReply) => {
      this.replies.push(reply);
      this.wake?.();
    });
    worker.on('error', (err) => this.fail(err));
    // any exit before the end is a failure: a thread that stops answering would leave the import waiting
    worker.on('exit', (code) => this.fail(new Error(`the import parse thread stopped (exit code ${code})`)));
  }

  static open(file: string, maxLineBytes: number): FileParseThread {
    const started = takeParseThreadFor(file, maxLineBytes);
    const thread = new FileParseThread(started?.worker ?? new Worker(PARSE_WORKER_FILE));
    if (!started?.reading) thread.post({ kind: 'read', file, maxLineBytes });
    return thread;
  }

  /**
   * Batches of validated records in line order, with the bytes of the file read when each was; at most
   * `ahead` of them wait for the caller, who says when it takes one (`more`).
   */
  async *batches(ctx: Omit<RecordContext, 'labelIndex'>, ahead: number): AsyncGenerator<{ records: RecordBatch; bytesRead: number }> {
    this.post({ kind: 'context', ctx, credits: ahead });
    for (;;) {
      while (this.replies.length === 0) {
        if (this.failure) throw this.failure;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
      const reply = this.replies.shift()!;
      if (reply.kind === 'error') throw new Error(reply.message);
      if (reply.kind === 'end') {
        this.done = true;
        return;
      }
      yield reply;
    }
  }

  /** The caller took a batch; `spare`: the buffers of batches it no longer reads. */
  more(spare: SpareBuffers[]): void {
    this.post({ kind: 'more', spare }, spare.flatMap(spareTransferables));
  }

  async destroy(): Promise<void> {
    this.done = true;
    await this.worker.terminate();
  }

  private post(msg: FileParseRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private fail(err: Error): void {
    if (this.done) return;
    this.failure ??= err;
    this.wake?.();
  }
}
