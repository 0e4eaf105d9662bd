/**
 * Checkpoints the WAL on a thread of its own while the queue's writer thread
 * writes (src/modules/queue/queue-writer.ts). A checkpoint copies WAL pages into
 * the database file and fsyncs it; run by the committing connection (SQLite's
 * auto-checkpoint) that stalled every ~20th group commit by 10–30 ms. PASSIVE never
 * waits for readers or writers; the writer's own auto-checkpoint, set far higher,
 * then finds nearly everything copied and lets the WAL restart (BENCHMARKS.md §5).
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { dbPath, intervalMs } = workerData as { dbPath: string; intervalMs: number };
const db = new Database(dbPath, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // another checkpoint is running: the next tick catches up
  }
}, intervalMs);

parentPort!.on('message', (msg: unknown) => {
  if (msg !== 'close') return;
  clearInterval(timer);
  db.close();
  process.exit(0);
});
parentPort!.postMessage('ready');
