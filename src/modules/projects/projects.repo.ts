import { prepared } from '../../db/statements.js';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { tables } from '../../db/index.js';
import type { ProjectRow } from '../../db/schema/projects.js';
import { visibleAnnotationSql, visibleItemSql } from '../../db/visibility.js';

const { projects } = tables;

const PROJECT_COLUMNS = `id, name, description, labels, multi_label AS multiLabel, scale, settings, feature_dim AS featureDim, created_at AS createdAt, updated_at AS updatedAt`;

type RawProject = Omit<ProjectRow, 'labels' | 'settings' | 'multiLabel'> & { labels: string; settings: string; multiLabel: number };

/**
 * The same stored text parses to the same frozen object: a label submit reads its
 * project several times, and settingsOf can then reuse its parse (see there).
 * Keyed by the text, so a change by any process is seen at once.
 */
const parsedSettings = new Map<string, Readonly<Record<string, unknown>>>();
function settingsFromText(text: string): Readonly<Record<string, unknown>> {
  let parsed = parsedSettings.get(text);
  if (!parsed) {
    if (parsedSettings.size >= 1000) parsedSettings.clear();
    parsedSettings.set(text, (parsed = Object.freeze(JSON.parse(text) as Record<string, unknown>)));
  }
  return parsed;
}

const toRow = (r: RawProject | undefined): ProjectRow | undefined =>
  r && { ...r, labels: JSON.parse(r.labels) as string[], settings: settingsFromText(r.settings), multiLabel: r.multiLabel === 1 };

/** Project lookups run on most requests: statements prepared once, not queries built each time. */
export function findProjectById(db: Db, id: number): ProjectRow | undefined {
  return toRow(prepared(db, `SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = ?`).get(id) as RawProject | undefined);
}

export function findProjectByName(db: Db, name: string): ProjectRow | undefined {
  return toRow(prepared(db, `SELECT ${PROJECT_COLUMNS} FROM projects WHERE name = ?`).get(name) as RawProject | undefined);
}

export function listProjectRows(db: Db): ProjectRow[] {
  return db.select().from(projects).orderBy(asc(projects.id)).all();
}

export function insertProject(db: Db, row: typeof projects.$inferInsert): ProjectRow {
  return db.insert(projects).values(row).returning().get();
}

export function updateProjectRow(db: Db, id: number, patch: Partial<typeof projects.$inferInsert>): ProjectRow {
  return db.update(projects).set(patch).where(eq(projects.id, id)).returning().get()!;
}

export function deleteProjectRow(db: Db, id: number): void {
  db.delete(projects).where(eq(projects.id, id)).run();
}

export interface ProjectCounts {
  items: number;
  pool: number;
  eval: number;
  gold: number;
  labeled: number;
  annotations: number;
}

export function projectCounts(db: Db, projectId: number): ProjectCounts {
  const row = prepared(db, 
      `SELECT count(*) AS items,
              coalesce(sum(split = 'pool'), 0) AS pool,
              coalesce(sum(split = 'eval'), 0) AS eval,
              coalesce(sum(split = 'gold'), 0) AS gold,
              coalesce(sum(EXISTS (SELECT 1 FROM annotations a WHERE a.item_id = items.id
                 AND a.superseded_at IS NULL AND ${visibleAnnotationSql('a')})), 0) AS labeled
         FROM items WHERE project_id = ? AND ${visibleItemSql('items')}`,
    )
    .get(projectId) as Omit<ProjectCounts, 'annotations'>;
  const ann = prepared(db, 
      `SELECT count(*) AS n FROM annotations a WHERE a.project_id = ? AND a.superseded_at IS NULL AND ${visibleAnnotationSql('a')}`,
    )
    .get(projectId) as { n: number };
  return { ...row, annotations: ann.n };
}

export function countAnnotations(db: Db, projectId: number): number {
  return (prepared(db, `SELECT count(*) AS n FROM annotations WHERE project_id = ?`).get(projectId) as { n: number }).n;
}

