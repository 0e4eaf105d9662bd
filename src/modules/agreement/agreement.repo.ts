import type { AnnotationSource } from '../../db/schema/items.js';
import { prepared } from '../../db/statements.js';
import type { Db } from '../../db/index.js';
import { visibleAnnotationSql, visibleItemSql } from '../../db/visibility.js';
import type { Split } from '../../core/labels.js';

export interface AnnotationRow {
  itemId: number;
  externalId: string;
  split: Split;
  annotator: string;
  source: AnnotationSource;
  value: string;
}

/** Current annotations of a project's visible items, grouped by item (ordered by item id). */
export function* iterateProjectAnnotations(db: Db, projectId: number): Generator<AnnotationRow> {
  const stmt = prepared(db, 
    `SELECT i.id AS itemId, i.external_id AS externalId, i.split, u.name AS annotator, a.source, a.value
       FROM annotations a
       JOIN items i ON i.id = a.item_id
       JOIN users u ON u.id = a.annotator_id
      WHERE a.project_id = ? AND a.superseded_at IS NULL AND ${visibleAnnotationSql('a')} AND ${visibleItemSql('i')}
      ORDER BY i.id, a.id`,
  );
  yield* stmt.iterate(projectId) as IterableIterator<AnnotationRow>;
}
