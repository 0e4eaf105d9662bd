import { transactionRunner, type Db } from './client.js';

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Writes per transaction: bounds how long one commit holds the write lock (other writers wait behind it). */
const MAX_PER_TRANSACTION = 128;

/**
 * Group commit: runs the writes one after the other in one write transaction
 * (several when there are more than MAX_PER_TRANSACTION), each in its own
 * savepoint, so a write that throws rolls back alone and the others commit
 * together. Each write sees the ones before it, exactly as if they had run in
 * separate transactions in that order. A commit in WAL mode writes every page the
 * transaction touched, and consecutive label submits touch the same pages (the tail
 * of annotations and tasks, the queue's indexes): one commit for many saves most of
 * that work (BENCHMARKS.md §5). Every write must be synchronous (better-sqlite3).
 * If a commit itself fails, every write of that transaction gets its error.
 */
export function commitTogether(db: Db, writes: readonly (() => unknown)[]): Outcome[] {
  const sqlite = db.$client;
  const inSavepoint = transactionRunner(sqlite);
  const outcomes: Outcome[] = [];
  for (let start = 0; start < writes.length; start += MAX_PER_TRANSACTION) {
    const part = writes.slice(start, start + MAX_PER_TRANSACTION);
    const done: Outcome[] = [];
    try {
      sqlite
        .transaction(() => {
          for (const write of part) {
            try {
              // inside the open transaction, the runner's transaction is a savepoint
              done.push({ ok: true, value: inSavepoint(write) });
            } catch (error) {
              done.push({ ok: false, error });
            }
          }
        })
        .immediate();
      outcomes.push(...done);
    } catch (error) {
      for (let i = 0; i < part.length; i++) outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
}

interface PendingWrite {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit on this thread: writes asked for in the same turn of the event
 * loop (200 annotators submitting at once) are committed together, after the
 * poll phase has read every request of that turn. The caller's promise settles
 * after the commit.
 */
export class GroupCommit {
  private pending: PendingWrite[] = [];
  private scheduled = false;

  constructor(private readonly db: Db) {}

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const writes = this.pending;
    this.pending = [];
    const outcomes = commitTogether(this.db, writes.map((w) => w.work));
    writes.forEach((w, i) => {
      const o = outcomes[i]!;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    });
  }
}
