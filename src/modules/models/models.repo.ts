import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { modelVersions, type ModelVersionRow } from '../../db/schema/models.js';

export type NewModelVersion = Omit<typeof modelVersions.$inferInsert, 'id' | 'version'>;

/** Inserts with the next version number of the project (call inside a transaction). */
export function insertModelVersion(db: Db, row: NewModelVersion): ModelVersionRow {
  const next = db
    .select({ v: sql<number>`coalesce(max(${modelVersions.version}), 0) + 1` })
    .from(modelVersions)
    .where(eq(modelVersions.projectId, row.projectId))
    .get()!.v;
  return db.insert(modelVersions).values({ ...row, version: next }).returning().get();
}

export function listModelVersionRows(db: Db, projectId: number): Omit<ModelVersionRow, 'artifact'>[] {
  const { artifact: _artifact, ...cols } = getColumns();
  void _artifact;
  return db.select(cols).from(modelVersions).where(eq(modelVersions.projectId, projectId)).orderBy(desc(modelVersions.version)).all();
}

export function artifactSize(db: Db, id: number): number | null {
  return db.select({ n: sql<number | null>`length(${modelVersions.artifact})` }).from(modelVersions).where(eq(modelVersions.id, id)).get()?.n ?? null;
}

export function findModelVersion(db: Db, projectId: number, version: number): ModelVersionRow | undefined {
  return db.select().from(modelVersions).where(and(eq(modelVersions.projectId, projectId), eq(modelVersions.version, version))).get();
}

export function findModelVersionById(db: Db, id: number): ModelVersionRow | undefined {
  return db.select().from(modelVersions).where(eq(modelVersions.id, id)).get();
}

export function latestModelVersion(db: Db, projectId: number): ModelVersionRow | undefined {
  return db.select().from(modelVersions).where(eq(modelVersions.projectId, projectId)).orderBy(desc(modelVersions.version)).limit(1).get();
}

function getColumns() {
  const { id, projectId, version, kind, labels, multiLabel, input, config, artifact, artifactHash, hyperParams, seed, trainingRunId, trainingSnapshot, trainingReport, createdAt } =
    modelVersions;
  return { id, projectId, version, kind, labels, multiLabel, input, config, artifact, artifactHash, hyperParams, seed, trainingRunId, trainingSnapshot, trainingReport, createdAt };
}
