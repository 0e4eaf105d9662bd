import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { prepared } from '../../db/statements.js';
import { tables } from '../../db/index.js';
import type { JobRow, JobStatus } from '../../db/schema/jobs.js';

const { jobs } = tables;

export const insertJob = (db: Db, row: typeof jobs.$inferInsert): JobRow => db.insert(jobs).values(row).returning().get();

export const findJob = (db: Db, id: number): JobRow | undefined => db.select().from(jobs).where(eq(jobs.id, id)).get();

export const updateJob = (db: Db, id: number, patch: Partial<typeof jobs.$inferInsert>): void => {
  db.update(jobs).set(patch).where(eq(jobs.id, id)).run();
};

/** Moves a job to a final state only if it is still live, so a late writer cannot resurrect it. */
export function finishJobIfLive(db: Db, id: number, patch: Partial<typeof jobs.$inferInsert>): boolean {
  return (
    db
      .update(jobs)
      .set(patch)
      .where(and(eq(jobs.id, id), inArray(jobs.status, ['queued', 'running'])))
      .run().changes === 1
  );
}

export function listJobRows(db: Db, filter: { projectId?: number; status?: JobStatus; limit: number }): JobRow[] {
  const conds: SQL[] = [];
  if (filter.projectId !== undefined) conds.push(eq(jobs.projectId, filter.projectId));
  if (filter.status) conds.push(eq(jobs.status, filter.status));
  return db
    .select()
    .from(jobs)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(jobs.id))
    .limit(filter.limit)
    .all();
}

export const liveJobs = (db: Db): JobRow[] =>
  db.select().from(jobs).where(inArray(jobs.status, ['queued', 'running'])).all();

export function heartbeat(db: Db, ids: number[], now: number): { id: number; cancelRequested: boolean }[] {
  if (ids.length === 0) return [];
  db.update(jobs).set({ heartbeatAt: now }).where(inArray(jobs.id, ids)).run();
  return db.select({ id: jobs.id, cancelRequested: jobs.cancelRequested }).from(jobs).where(inArray(jobs.id, ids)).all();
}

export function countJobs(db: Db, status: JobStatus): number {
  return (prepared(db, `SELECT count(*) AS n FROM jobs WHERE status = ?`).get(status) as { n: number }).n;
}
