import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { OFFLOADED_AUTOCHECKPOINT_PAGES } from '../../src/db/checkpointer.js';
import { WalCheckpointer, scopedPragma } from '../../src/db/index.js';
import { makeTestDeps, type TestContext } from '../helpers.js';

const contexts: TestContext[] = [];
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

function walDb(): { path: string; db: Database.Database } {
  const t = makeTestDeps();
  contexts.push(t);
  const path = join(t.dir, 'ckpt.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
  return { path, db };
}

function writeMiB(db: Database.Database, mib: number): void {
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const blob = Buffer.alloc(64 << 10, 7);
  db.transaction(() => {
    for (let i = 0; i < mib * 16; i++) insert.run(blob);
  })();
}

it('a scoped pragma is set by its first holder and restored by its last', () => {
  const { db } = walDb();
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  const first = scopedPragma(db, 'wal_autocheckpoint', 0);
  const second = scopedPragma(db, 'wal_autocheckpoint', 0);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  first();
  first();
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  second();
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  db.close();
});

it("offloading leaves the copying to the checkpointer thread, which runs while anyone holds it", async () => {
  const { path, db } = walDb();
  const checkpointer = new WalCheckpointer(path, 20);
  expect(checkpointer.available).toBe(true);
  const sizeBefore = statSync(path).size;

  // without the thread, and with the connection's auto-checkpoint off, the rows stay in the WAL
  const restore = scopedPragma(db, 'wal_autocheckpoint', 0);
  writeMiB(db, 8);
  await new Promise((r) => setTimeout(r, 200));
  expect(statSync(path).size).toBe(sizeBefore);
  restore();

  const endOffload = checkpointer.offload(db);
  const holdToo = checkpointer.hold();
  expect(checkpointer.running).toBe(true);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(OFFLOADED_AUTOCHECKPOINT_PAGES);
  writeMiB(db, 8);
  const deadline = Date.now() + 10_000;
  while (statSync(path).size < sizeBefore + (15 << 20) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // both writes are in the database file: the thread copied them, this connection never checkpointed
  expect(statSync(path).size).toBeGreaterThanOrEqual(sizeBefore + (15 << 20));

  await endOffload();
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  expect(checkpointer.running).toBe(true);
  await holdToo();
  expect(checkpointer.running).toBe(false);
  db.close();
});

it('a thread released while it is still starting is stopped, and the next hold starts one that copies', async () => {
  const { path, db } = walDb();
  const checkpointer = new WalCheckpointer(path, 20);
  // a short import: held and released before the thread has opened the database
  const release = checkpointer.hold();
  expect(checkpointer.running).toBe(true);
  await release();
  expect(checkpointer.running).toBe(false);

  const sizeBefore = statSync(path).size;
  const endOffload = checkpointer.offload(db);
  writeMiB(db, 8);
  const deadline = Date.now() + 10_000;
  while (statSync(path).size < sizeBefore + (7 << 20) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(statSync(path).size).toBeGreaterThanOrEqual(sizeBefore + (7 << 20));
  await endOffload();
  expect(checkpointer.running).toBe(false);
  db.close();
});

it('an in-memory database has no checkpointer: offloading changes nothing', async () => {
  const checkpointer = new WalCheckpointer(':memory:');
  const db = new Database(':memory:');
  const end = checkpointer.offload(db);
  expect(checkpointer.running).toBe(false);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  await end();
  db.close();
});
