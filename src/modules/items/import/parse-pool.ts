import { Worker } from 'node:worker_threads';
import type { LineBatch } from './line-batches.js';
import type { ParsedBatch } from './parse-batch.js';
import { PARSE_WORKER_FILE, takeIdleParseThread } from './parse-threads.js';
import type { RecordContext } from './record.js';
import { spareTransferables, type SpareBuffers } from './record-batch.js';

/** What a parse thread receives: a batch of lines (its buffer is transferred, not copied) and the project. */
export interface ParseTask {
  batch: LineBatch;
  ctx: Omit<RecordContext, 'labelIndex'>;
  maxLineBytes: number;
  /** Buffers of a batch that the main thread no longer reads, for this batch's. */
  spare?: SpareBuffers;
}

export type ParseReply = { id: number; result: ParsedBatch } | { id: number; error: string };

/**
 * Threads that parse JSONL batches (workers/import-parse.worker.ts). Plain
 * worker_threads rather than a general pool: the thread loads only the parsing
 * code (no zod, drizzle or HTTP stack), which keeps its memory small, and both
 * directions transfer their ArrayBuffers instead of cloning them.
 */
export class ParsePool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (r: ParsedBatch) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(file: string, threads: number) {
    this.workers = Array.from({ length: threads }, () => {
      const w = (file === PARSE_WORKER_FILE ? takeIdleParseThread() : undefined) ?? new Worker(file);
      w.on('message', (reply: ParseReply) => this.settle(reply));
      w.on('error', (err) => this.fail(err));
      // any exit before destroy() is a failure: a thread that stops answering would leave the import waiting
      w.on('exit', (code) => this.fail(new Error(`an import parse thread stopped (exit code ${code})`)));
      return w;
    });
  }

  /** Parses a batch on the next thread in turn. */
  run(task: ParseTask): Promise<ParsedBatch> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, task }, [task.batch.buffer.buffer as ArrayBuffer, ...spareTransferables(task.spare)]);
    });
  }

  async destroy(): Promise<void> {
    this.fail(new Error('the import parse threads were stopped'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(reply: ParseReply): void {
    const w = this.waiting.get(reply.id);
    if (!w) return;
    this.waiting.delete(reply.id);
    if ('error' in reply) w.reject(new Error(reply.error));
    else w.resolve(reply.result);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
