import type { Db } from '../../db/index.js';
import { prepared } from '../../db/statements.js';

export interface AnnotatorActivity {
  annotatorId: number;
  name: string;
  done: number;
  doneToday: number;
  medianMs: number | null;
  goldAnswered: number;
  goldCorrect: number;
}

/**
 * Per annotator: tasks done (today and in all), the durations' median, and answers to gold items against their truth.
 * For one annotator the query reads only their annotations (annotations_annotator_idx): an `OR` for "everyone or
 * this one" walked every annotation of the project, on each progress request of the labeling page.
 */
export function annotatorActivity(db: Db, projectId: number, dayStart: number, annotatorId?: number): AnnotatorActivity[] {
  const one = annotatorId !== undefined;
  const rows = prepared(
    db,
    `SELECT u.id AS annotatorId, u.name,
            count(*) AS done, coalesce(sum(a.created_at >= :dayStart), 0) AS doneToday,
            json_group_array(a.duration_ms) AS durations,
            coalesce(sum(g.value IS NOT NULL), 0) AS goldAnswered, coalesce(sum(g.value = a.value), 0) AS goldCorrect
       FROM annotations a
       JOIN users u ON u.id = a.annotator_id
       LEFT JOIN annotations g ON g.item_id = a.item_id AND g.source = 'gold' AND g.superseded_at IS NULL
      WHERE ${one ? 'a.annotator_id = :annotator AND ' : ''}a.project_id = :project AND a.source = 'task' AND a.superseded_at IS NULL
      GROUP BY u.id ORDER BY u.name`,
  ).all({ dayStart, project: projectId, ...(one ? { annotator: annotatorId } : {}) }) as (Omit<AnnotatorActivity, 'medianMs'> & { durations: string })[];
  return rows.map(({ durations, ...r }) => {
    const ms = (JSON.parse(durations) as (number | null)[]).filter((d): d is number => d !== null).sort((x, y) => x - y);
    const medianMs = ms.length === 0 ? null : ms.length % 2 ? ms[(ms.length - 1) / 2]! : (ms[ms.length / 2 - 1]! + ms[ms.length / 2]!) / 2;
    return { ...r, medianMs };
  });
}
