/**
 * Where the request path's queue writes run (claim, submit, skip). A label
 * submit costs ~100 µs of SQLite work and ~90 µs of HTTP work on the main thread;
 * with the writes on a thread of their own, the two run on different cores, and the
 * writes of one turn of the event loop share one commit (BENCHMARKS.md §5).
 *
 * `thread` (the default): a worker thread with its own connection; the main
 * thread sends the writes asked for in one turn as one message, and keeps the
 * next turn's while a message is in flight (so a busy writer gets bigger batches).
 * `inline`: group commit on this thread (an in-memory database, or the worker
 * not built). Both run the same functions (queue-ops.ts) in the same order rules.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Clock } from '../../core/clock.js';
import { fromWireError, type WireError } from '../../core/errors.js';
import { projectRoot } from '../../core/paths.js';
import { GroupCommit, type Db, type WalCheckpointer } from '../../db/index.js';
import { runQueueOp, type QueueOp } from './queue-ops.js';

export const QUEUE_WRITER_FILE = join(projectRoot(), 'dist', 'workers', 'queue-writer.worker.js');

export interface QueueWriter {
  run<T>(op: QueueOp): Promise<T>;
  close(): Promise<void>;
}

export interface QueueWriterDeps {
  db: Db;
  clock: Clock;
  onLabelsAdded?: (projectId: number) => void;
}

/** Messages between the main thread and the writer thread. */
export interface WriterRequest {
  batch: number;
  writes: { now: number; op: QueueOp }[];
}
export interface WriterReply {
  batch: number;
  outcomes: ({ ok: true; value: unknown; labelsAdded: number[] } | { ok: false; error: WireError })[];
}

export function createQueueWriter(deps: QueueWriterDeps, mode: 'thread' | 'inline', dbPath: string, checkpointer: WalCheckpointer): QueueWriter {
  if (mode === 'thread' && checkpointer.available && existsSync(QUEUE_WRITER_FILE)) return new ThreadQueueWriter(deps, dbPath, checkpointer);
  return new InlineQueueWriter(deps);
}

class InlineQueueWriter implements QueueWriter {
  private readonly group: GroupCommit;

  constructor(private readonly deps: QueueWriterDeps) {
    this.group = new GroupCommit(deps.db);
  }

  /** As on the writer thread, the label trigger runs after the commit, once per project. */
  async run<T>(op: QueueOp): Promise<T> {
    const labelled = new Set<number>();
    const deps = { db: this.deps.db, clock: this.deps.clock, onLabelsAdded: (projectId: number) => void labelled.add(projectId) };
    const value = await this.group.run(() => runQueueOp(deps, op) as T);
    for (const projectId of labelled) this.deps.onLabelsAdded?.(projectId);
    return value;
  }

  async close(): Promise<void> {}
}

interface Waiting {
  now: number;
  op: QueueOp;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

class ThreadQueueWriter implements QueueWriter {
  private worker: Worker | undefined;
  /** Lets the checkpointer thread stop; set while the writer thread runs. */
  private releaseCheckpointer: (() => Promise<void>) | undefined;
  private queued: Waiting[] = [];
  private inFlight: Waiting[] | null = null;
  private scheduled = false;
  private batch = 0;
  private closing = false;

  constructor(
    private readonly deps: QueueWriterDeps,
    private readonly dbPath: string,
    private readonly checkpointer: WalCheckpointer,
  ) {}

  run<T>(op: QueueOp): Promise<T> {
    if (this.closing) return Promise.reject(new Error('the server is shutting down: the write was not stored'));
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ now: this.deps.clock.now(), op, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled && !this.inFlight) {
        this.scheduled = true;
        // after the poll phase: every request read in this turn has asked by then
        setImmediate(() => this.send());
      }
    });
  }

  private start(): Worker {
    this.releaseCheckpointer ??= this.checkpointer.hold();
    const worker = new Worker(QUEUE_WRITER_FILE, { workerData: { dbPath: this.dbPath } });
    worker.on('message', (reply: WriterReply) => this.settle(reply));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      if (code !== 0) this.fail(new Error(`the queue writer thread stopped (exit code ${code})`));
    });
    worker.unref();
    return worker;
  }

  private send(): void {
    this.scheduled = false;
    if (this.inFlight || this.queued.length === 0) return;
    const writes = this.queued;
    this.queued = [];
    this.inFlight = writes;
    this.worker ??= this.start();
    const request: WriterRequest = { batch: ++this.batch, writes: writes.map((w) => ({ now: w.now, op: w.op })) };
    this.worker.postMessage(request);
  }

  private settle(reply: WriterReply): void {
    const writes = this.inFlight;
    this.inFlight = null;
    if (!writes || reply.batch !== this.batch) return;
    const labelled = new Set<number>();
    writes.forEach((w, i) => {
      const o = reply.outcomes[i]!;
      if (!o.ok) return w.reject(fromWireError(o.error));
      for (const projectId of o.labelsAdded) labelled.add(projectId);
      w.resolve(o.value);
    });
    this.send();
    // the label trigger counts labels itself: once per project and batch is enough (it was ~8 µs per submit)
    for (const projectId of labelled) this.deps.onLabelsAdded?.(projectId);
  }

  /** The thread died: what it held fails, the next write starts a new thread. */
  private fail(err: unknown): void {
    const writes = this.inFlight ?? [];
    this.inFlight = null;
    for (const w of writes) w.reject(err);
    if (this.queued.length) setImmediate(() => this.send());
  }

  /** Waits for the writes already asked for, then stops the thread. */
  async close(): Promise<void> {
    this.closing = true;
    // the writes already asked for are sent (starting the thread if need be) and answered first
    while (this.inFlight || this.queued.length) await new Promise((resolve) => setTimeout(resolve, 1));
    const worker = this.worker;
    const releaseCheckpointer = this.releaseCheckpointer;
    this.worker = this.releaseCheckpointer = undefined;
    const exited = worker && new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker?.postMessage('close');
    await Promise.all([exited, releaseCheckpointer?.()]);
  }
}
