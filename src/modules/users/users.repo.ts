import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { tables } from '../../db/index.js';
import type { UserRow } from '../../db/schema/users.js';

const { users } = tables;

export const findUserById = (db: Db, id: number): UserRow | undefined =>
  db.select().from(users).where(eq(users.id, id)).get();

export const findUserByName = (db: Db, name: string): UserRow | undefined =>
  db.select().from(users).where(eq(users.name, name)).get();

export const findActiveUserByTokenHash = (db: Db, tokenHash: string): UserRow | undefined =>
  db
    .select()
    .from(users)
    .where(and(eq(users.tokenHash, tokenHash), isNull(users.revokedAt)))
    .get();

export const listUserRows = (db: Db): UserRow[] => db.select().from(users).orderBy(asc(users.id)).all();

export const insertUser = (db: Db, row: typeof users.$inferInsert): UserRow => db.insert(users).values(row).returning().get();

export const updateUserRow = (db: Db, id: number, patch: Partial<typeof users.$inferInsert>): UserRow =>
  db.update(users).set(patch).where(eq(users.id, id)).returning().get()!;

/** Annotators an import created and that no annotation refers to any more. */
export function deleteOrphanImportedAnnotators(db: Db, importId: number): number {
  return db
    .delete(users)
    .where(
      and(
        eq(users.createdByImportId, importId),
        sql`NOT EXISTS (SELECT 1 FROM annotations a WHERE a.annotator_id = ${users.id})`,
      ),
    )
    .run().changes;
}
