/**
 * The annotation queue's writer thread (src/modules/queue/queue-writer.ts): its own
 * connection to the database; each message is the writes of one turn of the main
 * thread's event loop, committed together; the answer carries each one's outcome.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toWireError } from '../src/core/errors.js';
import { closeDb, openDb } from '../src/db/index.js';
import { commitTogether } from '../src/db/group-commit.js';
import { runQueueOp } from '../src/modules/queue/queue-ops.js';
import { OFFLOADED_AUTOCHECKPOINT_PAGES } from '../src/db/checkpointer.js';
import type { WriterReply, WriterRequest } from '../src/modules/queue/queue-writer.js';

const db = openDb((workerData as { dbPath: string }).dbPath, { migrate: false });
// the checkpointer thread does the copying (workers/wal-checkpoint.worker.ts); this only lets the WAL restart
db.$client.pragma(`wal_autocheckpoint = ${OFFLOADED_AUTOCHECKPOINT_PAGES}`);
let now = 0;
let labelsAdded: number[] = [];
// the main thread's clock, read when each write was asked for (tests move it)
const deps = { db, clock: { now: () => now }, onLabelsAdded: (projectId: number) => void labelsAdded.push(projectId) };

parentPort!.on('message', (msg: WriterRequest | 'close') => {
  if (msg === 'close') {
    closeDb(db);
    process.exit(0);
  }
  const outcomes = commitTogether(
    db,
    msg.writes.map((w) => () => {
      now = w.now;
      labelsAdded = [];
      return { value: runQueueOp(deps, w.op), labelsAdded };
    }),
  );
  const reply: WriterReply = {
    batch: msg.batch,
    outcomes: outcomes.map((o) => (o.ok ? { ok: true, ...(o.value as { value: unknown; labelsAdded: number[] }) } : { ok: false, error: toWireError(o.error) })),
  };
  parentPort!.postMessage(reply);
});
