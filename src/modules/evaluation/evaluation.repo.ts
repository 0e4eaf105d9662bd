import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { prepared } from '../../db/statements.js';
import { visibleItemSql } from '../../db/visibility.js';
import { evaluations, type EvaluationRow } from '../../db/schema/models.js';

export function insertEvaluation(db: Db, row: typeof evaluations.$inferInsert): EvaluationRow {
  return db.insert(evaluations).values(row).returning().get();
}

export function latestEvaluationOf(db: Db, versionId: number): EvaluationRow | undefined {
  return db.select().from(evaluations).where(eq(evaluations.modelVersionId, versionId)).orderBy(desc(evaluations.id)).limit(1).get();
}

/** The latest evaluation of every version of the project, oldest version first. */
export function latestEvaluations(db: Db, projectId: number): EvaluationRow[] {
  const ids = prepared(db, 'SELECT max(id) FROM evaluations WHERE project_id = ? GROUP BY model_version_id ORDER BY model_version_id').pluck(true).all(projectId) as number[];
  return ids.map((id) => db.select().from(evaluations).where(and(eq(evaluations.id, id), eq(evaluations.projectId, projectId))).get()!);
}

/** Internal ids of items by external id (one project). */
export function itemIdsByExternal(db: Db, projectId: number, externalIds: readonly string[]): Map<string, number> {
  const stmt = prepared(db, 'SELECT id FROM items WHERE project_id = ? AND external_id = ?').pluck(true);
  const out = new Map<string, number>();
  for (const e of externalIds) {
    const id = stmt.get(projectId, e) as number | undefined;
    if (id !== undefined) out.set(e, id);
  }
  return out;
}

/**
 * The stop set: a fixed sample of pool items (the first `size` by the item's seeded
 * key), whose predictions successive versions are compared on.
 */
export function stopSetItemIds(db: Db, projectId: number, size: number): number[] {
  return prepared(db, `SELECT i.id FROM items i WHERE i.project_id = ? AND i.split = 'pool' AND ${visibleItemSql('i')} ORDER BY i.rand, i.id LIMIT ?`)
    .pluck(true)
    .all(projectId, size) as number[];
}

/** Current pool labels (import/task/review annotations) with id above `afterId`: what a retrain would learn that the last version did not. */
export function newPoolLabels(db: Db, projectId: number, afterId: number): number {
  return prepared(
    db,
    `SELECT count(*) FROM annotations a JOIN items i ON i.id = a.item_id
      WHERE a.project_id = ? AND a.id > ? AND a.superseded_at IS NULL AND i.split = 'pool'`,
  )
    .pluck(true)
    .get(projectId, afterId) as number;
}
