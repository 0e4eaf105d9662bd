import type { Db } from '../../db/index.js';
import { prepared } from '../../db/statements.js';
import { visibleAnnotationSql, visibleItemSql } from '../../db/visibility.js';

export const DAY_MS = 86_400_000;

/**
 * Every pool and eval item with the labels that count towards its wanted
 * annotations: the same sources the queue counts (import and task, current only),
 * so "complete" here means what "needs no more slots" means there.
 */
export function itemLabelCounts(db: Db, projectId: number): { externalId: string; have: number }[] {
  return prepared(
    db,
    `SELECT i.external_id AS externalId, count(a.id) AS have
       FROM items i
       LEFT JOIN annotations a ON a.item_id = i.id AND a.superseded_at IS NULL AND a.source IN ('import', 'task') AND ${visibleAnnotationSql('a')}
      WHERE i.project_id = ? AND i.split IN ('pool', 'eval') AND ${visibleItemSql('i')}
      GROUP BY i.id`,
  ).all(projectId) as { externalId: string; have: number }[];
}

export interface DayCount {
  /** Days since the epoch (UTC). */
  day: number;
  source: 'import' | 'task' | 'review';
  n: number;
}

/**
 * Labels created per UTC day and source since `since`. Superseded labels count:
 * volume is the work done that day, even if a later label replaced it. Gold
 * answers are the items' known truth, not labelling work, so they are left out.
 */
export function labelsPerDay(db: Db, projectId: number, since: number): DayCount[] {
  return prepared(
    db,
    `SELECT a.created_at / ${DAY_MS} AS day, a.source, count(*) AS n
       FROM annotations a
      WHERE a.project_id = ? AND a.created_at >= ? AND a.source IN ('import', 'task', 'review') AND ${visibleAnnotationSql('a')}
      GROUP BY day, a.source ORDER BY day`,
  ).all(projectId, since) as DayCount[];
}
