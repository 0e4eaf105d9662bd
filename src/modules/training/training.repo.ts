import { desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { visibleAnnotationSql, visibleItemSql } from '../../db/visibility.js';
import { prepared } from '../../db/statements.js';
import { trainingRuns, type TrainingRunRow } from '../../db/schema/models.js';

export function insertTrainingRun(db: Db, row: typeof trainingRuns.$inferInsert): TrainingRunRow {
  return db.insert(trainingRuns).values(row).returning().get();
}

export function updateTrainingRun(db: Db, id: number, patch: Partial<typeof trainingRuns.$inferInsert>): void {
  db.update(trainingRuns).set(patch).where(eq(trainingRuns.id, id)).run();
}

export function findTrainingRun(db: Db, id: number): TrainingRunRow | undefined {
  return db.select().from(trainingRuns).where(eq(trainingRuns.id, id)).get();
}

export function listTrainingRunRows(db: Db, projectId: number, limit: number): TrainingRunRow[] {
  return db.select().from(trainingRuns).where(eq(trainingRuns.projectId, projectId)).orderBy(desc(trainingRuns.id)).limit(limit).all();
}

export interface TrainingAnnotation {
  id: number;
  itemId: number;
  /** JSON text of the label value. */
  value: string;
}

/**
 * The labels a model may learn from: current (not superseded) annotations of visible
 * POOL items. Eval and gold items never reach training, whatever their labels.
 */
export function poolTrainingAnnotations(db: Db, projectId: number): TrainingAnnotation[] {
  return prepared(
    db,
    `SELECT a.id AS id, a.item_id AS itemId, a.value AS value
       FROM annotations a JOIN items i ON i.id = a.item_id
      WHERE a.project_id = ? AND a.superseded_at IS NULL AND i.split = 'pool'
        AND ${visibleItemSql('i')} AND ${visibleAnnotationSql('a')}
      ORDER BY a.id`,
  ).all(projectId) as TrainingAnnotation[];
}
