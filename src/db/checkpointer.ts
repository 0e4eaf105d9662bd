import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { projectRoot } from '../core/paths.js';

export const WAL_CHECKPOINT_FILE = join(projectRoot(), 'dist', 'workers', 'wal-checkpoint.worker.js');
const CHECKPOINT_INTERVAL_MS = 100;
/**
 * A writer's own auto-checkpoint while the thread does the copying (64 MiB of 4 KiB
 * pages). Not off: the WAL restarts only when a writer begins with every frame
 * copied, which a writer committing back to back rarely sees, so a 200k-line import
 * grew it to 300 MiB (and each page lookup searches the whole WAL index). At this
 * threshold the writer's checkpoint finds nearly everything copied already, and the
 * WAL restarts.
 */
export const OFFLOADED_AUTOCHECKPOINT_PAGES = 16_000;

/**
 * A thread that checkpoints the WAL (workers/wal-checkpoint.worker.ts) while heavy
 * writers hold it. A checkpoint copies WAL pages into the database file and fsyncs
 * it; run by a committing connection (SQLite's auto-checkpoint), that work sat in
 * the writer's commits: ~20 ms stalls in the queue writer's group commits, and ~40%
 * of a bulk import's write time, mostly waiting for the disk (BENCHMARKS.md §1, §5).
 * On a thread of its own it runs beside the writes, on the other core and the disk.
 *
 * The thread runs while anyone holds it: the queue writer from its first write to
 * its close, an import for its duration.
 */
export class WalCheckpointer {
  private thread: Worker | undefined;
  private holders = 0;
  /** Threads that opened the database and wait for messages. */
  private readonly ready = new WeakSet<Worker>();

  constructor(
    private readonly dbPath: string,
    private readonly intervalMs = CHECKPOINT_INTERVAL_MS,
  ) {}

  /** False for an in-memory database (no WAL) or when the worker is not built: writers then checkpoint themselves. */
  get available(): boolean {
    return this.dbPath !== ':memory:' && existsSync(WAL_CHECKPOINT_FILE);
  }

  /** Whether the thread runs (someone holds it). */
  get running(): boolean {
    return this.thread !== undefined;
  }

  /** Keeps the thread running (starting it if need be) until the returned function is called. */
  hold(): () => Promise<void> {
    if (!this.available) return async () => {};
    this.holders++;
    this.thread ??= this.start();
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      if (--this.holders === 0) await this.stop();
    };
  }

  /**
   * Holds the thread and raises the connection's own auto-checkpoint until the
   * returned function is called: its commits then leave the copying to the thread.
   */
  offload(client: Database.Database): () => Promise<void> {
    if (!this.available) return async () => {};
    const release = this.hold();
    const restore = scopedPragma(client, 'wal_autocheckpoint', OFFLOADED_AUTOCHECKPOINT_PAGES);
    return async () => {
      restore();
      await release();
    };
  }

  /** Stops the thread whoever holds it (the process is closing). */
  async close(): Promise<void> {
    this.holders = 0;
    await this.stop();
  }

  private start(): Worker {
    const thread = new Worker(WAL_CHECKPOINT_FILE, { workerData: { dbPath: this.dbPath, intervalMs: this.intervalMs } });
    // without it the writers' own auto-checkpoints still bound the WAL
    thread.on('error', () => undefined);
    thread.once('message', (msg: unknown) => {
      if (msg === 'ready') this.ready.add(thread);
    });
    thread.on('exit', () => {
      if (this.thread === thread) this.thread = undefined;
    });
    thread.unref();
    return thread;
  }

  private async stop(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    if (!thread) return;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    // unreferenced while it runs (it must not keep a process alive); waited for while it stops
    thread.ref();
    // one still starting (a short import) is stopped at once: waiting for its start to ask it to close took ~100 ms
    if (this.ready.has(thread)) thread.postMessage('close');
    else void thread.terminate();
    await exited;
  }
}

const scopes = new WeakMap<Database.Database, Map<string, { holders: number; before: unknown }>>();

/**
 * Sets a pragma on a connection until the returned function is called. Overlapping
 * holders (two imports on one connection) share one setting: the first saves the
 * connection's value, the last restores it.
 */
export function scopedPragma(client: Database.Database, name: string, value: string | number): () => void {
  let byName = scopes.get(client);
  if (!byName) scopes.set(client, (byName = new Map()));
  let scope = byName.get(name);
  if (!scope) {
    scope = { holders: 0, before: client.pragma(name, { simple: true }) };
    byName.set(name, scope);
    client.pragma(`${name} = ${value}`);
  }
  scope.holders++;
  let released = false;
  const held = scope;
  return () => {
    if (released) return;
    released = true;
    if (--held.holders > 0) return;
    byName.delete(name);
    if (client.open) client.pragma(`${name} = ${String(held.before)}`);
  };
}
