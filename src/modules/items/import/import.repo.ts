import type { Statement } from 'better-sqlite3';
import { scopedPragma, type Db } from '../../../db/index.js';
import { stableRandom } from '../../../core/random.js';
import type { ValidRecord } from './record.js';

export interface ExistingItem {
  id: number;
  contentHash: string;
  importId: number;
  importLine: number;
}

export interface CurrentAnnotation {
  id: number;
  annotatorId: number;
  value: string;
}

/**
 * Prepared statements for the import's hot path (tens of thousands of rows a
 * second); raw SQL here, in the repo, keeps drizzle's per-row overhead out of it.
 */
export class ImportWriter {
  private readonly insertItem: Statement;
  private readonly findItem: Statement;
  private readonly insertAnnotation: Statement;
  private readonly currentAnnotations: Statement;
  private readonly insertChange: Statement;
  private readonly findChange: Statement;

  constructor(
    db: Db,
    private readonly projectId: number,
    private readonly importId: number,
  ) {
    const c = db.$client;
    this.insertItem = c.prepare(
      `INSERT INTO items (project_id, external_id, split, text, features, meta, rand, content_hash, import_id, import_line, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, external_id) DO NOTHING`,
    );
    this.findItem = c.prepare(
      `SELECT id, content_hash AS contentHash, import_id AS importId, import_line AS importLine
         FROM items WHERE project_id = ? AND external_id = ?`,
    );
    this.insertAnnotation = c.prepare(
      `INSERT INTO annotations (item_id, project_id, annotator_id, value, source, created_at, import_id)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.currentAnnotations = c.prepare(
      `SELECT id, annotator_id AS annotatorId, value FROM annotations
        WHERE item_id = ? AND superseded_at IS NULL
          AND coalesce(import_id, 0) NOT IN (SELECT id FROM imports WHERE state <> 'committed' AND id <> ?)`,
    );
    this.insertChange = c.prepare(
      `INSERT INTO import_changes (import_id, item_id, split, text, features, meta, content_hash, import_line, supersedes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.findChange = c.prepare(`SELECT import_line AS line FROM import_changes WHERE import_id = ? AND item_id = ?`);
  }

  /** Inserts a new (still invisible) item; undefined when the external id already exists. */
  tryInsertItem(rec: ValidRecord, line: number, now: number): number | undefined {
    const r = this.insertItem.run(
      this.projectId, rec.externalId, rec.split, rec.text, rec.features, rec.meta, stableRandom(rec.externalId, this.projectId), rec.contentHash,
      this.importId, line, now, now,
    );
    return r.changes === 1 ? Number(r.lastInsertRowid) : undefined;
  }

  findExisting(externalId: string): ExistingItem {
    return this.findItem.get(this.projectId, externalId) as ExistingItem;
  }

  annotationsOf(itemId: number): CurrentAnnotation[] {
    return this.currentAnnotations.all(itemId, this.importId) as CurrentAnnotation[];
  }

  addAnnotation(itemId: number, annotatorId: number, valueJson: string, source: 'import' | 'gold', createdAt: number): void {
    this.insertAnnotation.run(itemId, this.projectId, annotatorId, valueJson, source, createdAt, this.importId);
  }

  /** The line where this import already touched the existing item (the id is twice in the file). */
  touchedAtLine(itemId: number): number | undefined {
    return (this.findChange.get(this.importId, itemId) as { line: number } | undefined)?.line;
  }

  /** Records a touched existing item; content and superseded annotations apply at commit. */
  stageChange(itemId: number, rec: ValidRecord, line: number, supersedes: number[]): void {
    this.insertChange.run(this.importId, itemId, rec.split, rec.text, rec.features, rec.meta, rec.contentHash, line, JSON.stringify(supersedes));
  }
}

/** Page cache while an import writes: enough for the indexes and one staging transaction. */
const IMPORT_CACHE_KIB = 16 * 1024;

/**
 * Shrinks the connection's page cache for the import and returns what restores it. A bulk import only
 * appends, so a bigger cache does not make it faster (measured: 16 MiB as fast as 64 MiB for 200k rows)
 * but filled it completely: ~50 MB of peak RSS (BENCHMARKS.md §1).
 */
export function importPageCache(db: Db): () => void {
  const c = db.$client;
  const before = c.pragma('cache_size', { simple: true }) as number;
  const kib = before < 0 ? -before : (before * (c.pragma('page_size', { simple: true }) as number)) / 1024;
  // a second import on the connection joins the first one's setting
  return scopedPragma(c, 'cache_size', kib <= IMPORT_CACHE_KIB ? before : -IMPORT_CACHE_KIB);
}

/** Applies staged changes to existing items. Runs inside the commit transaction. */
export function applyStagedChanges(db: Db, importId: number, now: number): number {
  const c = db.$client;
  const updated = c
    .prepare(
      `UPDATE items SET split = ch.split, text = ch.text, features = ch.features, meta = ch.meta,
              content_hash = ch.content_hash, updated_at = ?
         FROM import_changes ch
        WHERE ch.import_id = ? AND ch.item_id = items.id AND ch.content_hash <> items.content_hash`,
    )
    .run(now, importId).changes;
  c.prepare(
    `UPDATE annotations SET superseded_at = ?
      WHERE id IN (SELECT value FROM import_changes ch, json_each(ch.supersedes) WHERE ch.import_id = ?)`,
  ).run(now, importId);
  return updated;
}

const BATCH = 20_000;

/** Deletes, a batch per statement, the rows of a failed import, or the change log of a committed one. */
export function deleteImportRows(db: Db, importId: number, what: 'all' | 'changes'): void {
  const c = db.$client;
  const tables = what === 'all' ? ['annotations', 'items', 'import_changes'] : ['import_changes'];
  for (const table of tables) {
    const st = c.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE import_id = ? LIMIT ${BATCH})`);
    while (st.run(importId).changes > 0) {
      /* next batch */
    }
  }
}

export function insertImportRow(db: Db, projectId: number, jobId: number | null, source: string, now: number): number {
  const r = db.$client
    .prepare(`INSERT INTO imports (project_id, job_id, state, source, created_at) VALUES (?, ?, 'staging', ?, ?)`)
    .run(projectId, jobId, source, now);
  return Number(r.lastInsertRowid);
}

export function stagingImportOf(db: Db, projectId: number): { id: number; jobId: number | null } | undefined {
  return db.$client
    .prepare(`SELECT id, job_id AS jobId FROM imports WHERE project_id = ? AND state = 'staging' ORDER BY id LIMIT 1`)
    .get(projectId) as { id: number; jobId: number | null } | undefined;
}

export function setImportState(db: Db, importId: number, state: 'committed' | 'failed', now: number): void {
  db.$client.prepare(`UPDATE imports SET state = ?, finished_at = ? WHERE id = ?`).run(state, now, importId);
}

/** Failed imports whose rows were not all deleted (the process died while cleaning up). */
export function failedImportsWithRows(db: Db): number[] {
  return (
    db.$client
      .prepare(
        `SELECT id FROM imports i WHERE state = 'failed' AND (EXISTS (SELECT 1 FROM items WHERE import_id = i.id)
            OR EXISTS (SELECT 1 FROM annotations WHERE import_id = i.id) OR EXISTS (SELECT 1 FROM import_changes WHERE import_id = i.id))`,
      )
      .all() as { id: number }[]
  ).map((r) => r.id);
}

export function importsOfJob(db: Db, jobId: number): { id: number; state: string }[] {
  return db.$client.prepare(`SELECT id, state FROM imports WHERE job_id = ?`).all(jobId) as { id: number; state: string }[];
}

export function setProjectFeatureDim(db: Db, projectId: number, dim: number): void {
  db.$client.prepare(`UPDATE projects SET feature_dim = ? WHERE id = ? AND feature_dim IS NULL`).run(dim, projectId);
}
