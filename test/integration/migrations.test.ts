/** Migrations applied to a database that already holds data, as an upgrade meets it. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, expect, it } from 'vitest';
import { closeDb, migrateDb, openDb } from '../../src/db/index.js';
import { projectRoot } from '../../src/core/paths.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of the committed migrations that stops before `tag`. */
function migrationsBefore(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-migrations-'));
  dirs.push(dir);
  cpSync(join(projectRoot(), 'src', 'db', 'migrations'), dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === tag);
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

it('0006 marks the items that already have queue slots as queued, and only those', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-upgrade-'));
  dirs.push(dir);
  const db = openDb(join(dir, 'old.db'), { migrate: false });
  migrate(db, { migrationsFolder: migrationsBefore('0006_items_queued') });
  const c = db.$client;
  c.exec(`INSERT INTO projects (id, name, labels, created_at, updated_at) VALUES (1, 'p', '["a","b"]', 0, 0);
          INSERT INTO imports (id, project_id, state, source, created_at) VALUES (1, 1, 'committed', 'f', 0);`);
  const item = c.prepare(`INSERT INTO items (project_id, external_id, split, text, rand, content_hash, import_id, import_line, created_at, updated_at)
                          VALUES (1, ?, ?, 't', ?, 'h', 1, ?, 0, 0)`);
  ['pool', 'pool', 'eval', 'gold', 'pool'].forEach((split, i) => item.run(`x${i}`, split, i / 10, i + 1));
  c.exec(`INSERT INTO queue_slots (project_id, item_id, source, priority, status, created_at) VALUES (1, 1, 'cold-start', 0, 'open', 0), (1, 1, 'cold-start', 0, 'done', 0), (1, 3, 'eval', 0, 'open', 0)`);

  migrateDb(db);
  expect(c.prepare(`SELECT external_id AS id, queued FROM items ORDER BY id`).all()).toEqual([
    { id: 'x0', queued: 1 },
    { id: 'x1', queued: 0 },
    { id: 'x2', queued: 1 },
    { id: 'x3', queued: 0 },
    { id: 'x4', queued: 0 },
  ]);
  // the refill's index holds the unqueued pool and eval items, in key order
  expect(c.prepare(`SELECT external_id AS id FROM items INDEXED BY items_project_unqueued_idx WHERE project_id = 1 AND queued = 0 AND split IN ('pool', 'eval') ORDER BY rand, id`).all()).toEqual([{ id: 'x1' }, { id: 'x4' }]);
  closeDb(db);
});
