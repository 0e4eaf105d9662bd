import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { modelVersions, promotions, type ModelVersionRow, type PromotionRow } from '../../db/schema/models.js';

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

/** A version's number without loading its artifact (views only need the number). */
export function versionNumberOf(db: Db, id: number | null): number | null {
  if (id === null) return null;
  return db.select({ v: modelVersions.version }).from(modelVersions).where(eq(modelVersions.id, id)).get()?.v ?? null;
}

export function latestModelVersion(db: Db, projectId: number): ModelVersionRow | undefined {
  return db.select().from(modelVersions).where(eq(modelVersions.projectId, projectId)).orderBy(desc(modelVersions.version)).limit(1).get();
}

function getColumns() {
  const { id, projectId, version, kind, labels, multiLabel, input, config, artifact, artifactHash, hyperParams, seed, trainingRunId, trainingSnapshot, trainingReport, createdAt } =
    modelVersions;
  return { id, projectId, version, kind, labels, multiLabel, input, config, artifact, artifactHash, hyperParams, seed, trainingRunId, trainingSnapshot, trainingReport, createdAt };
}

/** The champion: the challenger of the latest promotion that promoted, if any. */
export function championVersionId(db: Db, projectId: number): number | null {
  const row = db
    .select({ id: promotions.challengerVersionId })
    .from(promotions)
    .where(and(eq(promotions.projectId, projectId), eq(promotions.decision, 'promoted')))
    .orderBy(desc(promotions.id))
    .limit(1)
    .get();
  return row?.id ?? null;
}

export function insertPromotion(db: Db, row: typeof promotions.$inferInsert): PromotionRow {
  return db.insert(promotions).values(row).returning().get();
}

export function listPromotionRows(db: Db, projectId: number): PromotionRow[] {
  return db.select().from(promotions).where(eq(promotions.projectId, projectId)).orderBy(desc(promotions.id)).all();
}

/** The newest version Quorum trained (it carries the training snapshot new labels are counted against). */
export function latestTrainedVersion(db: Db, projectId: number): ModelVersionRow | undefined {
  return db
    .select()
    .from(modelVersions)
    .where(and(eq(modelVersions.projectId, projectId), isNotNull(modelVersions.trainingRunId)))
    .orderBy(desc(modelVersions.version))
    .limit(1)
    .get();
}
