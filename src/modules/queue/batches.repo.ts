import { desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { prepared } from '../../db/statements.js';
import { queryBatches, type QueryBatchRow } from '../../db/schema/queue.js';

export function insertBatch(db: Db, row: typeof queryBatches.$inferInsert): QueryBatchRow {
  return db.insert(queryBatches).values(row).returning().get();
}

export function setBatchQueued(db: Db, id: number, params: Record<string, unknown>): void {
  db.update(queryBatches).set({ params }).where(eq(queryBatches.id, id)).run();
}

export function insertBatchItem(db: Db, batchId: number, rank: number, itemId: number, score: number, explore: boolean): void {
  prepared(db, 'INSERT INTO query_batch_items (batch_id, rank, item_id, score, explore) VALUES (?, ?, ?, ?, ?)').run(batchId, rank, itemId, score, explore ? 1 : 0);
}

export function listBatchRows(db: Db, projectId: number, limit: number): QueryBatchRow[] {
  return db.select().from(queryBatches).where(eq(queryBatches.projectId, projectId)).orderBy(desc(queryBatches.id)).limit(limit).all();
}

export function findBatch(db: Db, id: number): QueryBatchRow | undefined {
  return db.select().from(queryBatches).where(eq(queryBatches.id, id)).get();
}

export function batchItemRows(db: Db, batchId: number): { rank: number; id: string; score: number; explore: number }[] {
  return prepared(
    db,
    'SELECT b.rank, i.external_id AS id, b.score, b.explore FROM query_batch_items b JOIN items i ON i.id = b.item_id WHERE b.batch_id = ? ORDER BY b.rank',
  ).all(batchId) as { rank: number; id: string; score: number; explore: number }[];
}

/** An item's external id, and whether it is queued and how many labels it has (inside the storing transaction). */
export function pickState(db: Db, itemId: number): { externalId: string; queued: number; have: number } | undefined {
  return prepared(
    db,
    `SELECT i.external_id AS externalId, i.queued,
            (SELECT count(*) FROM annotations a WHERE a.item_id = i.id AND a.superseded_at IS NULL AND a.source IN ('import', 'task')) AS have
       FROM items i WHERE i.id = ?`,
  ).get(itemId) as { externalId: string; queued: number; have: number } | undefined;
}

export function externalIds(db: Db, ids: ArrayLike<number>): string[] {
  const stmt = prepared(db, 'SELECT external_id FROM items WHERE id = ?').pluck(true);
  return Array.from(ids, (id) => stmt.get(id) as string);
}

/** Mean number of labels per labelled pool item (multi-label projects), for label-cardinality inconsistency. */
export function meanLabelCardinality(db: Db, projectId: number): number | null {
  const row = prepared(
    db,
    `SELECT avg(json_array_length(a.value)) AS m FROM annotations a JOIN items i ON i.id = a.item_id
      WHERE a.project_id = ? AND a.superseded_at IS NULL AND i.split = 'pool' AND json_type(a.value) = 'array'`,
  ).get(projectId) as { m: number | null };
  return row.m;
}
