import { and, asc, eq, sql } from 'drizzle-orm';
import { prepared } from '../../db/statements.js';
import type { Db } from '../../db/index.js';
import { tables } from '../../db/index.js';
import type { UserRow } from '../../db/schema/users.js';

const { users } = tables;

export const findUserById = (db: Db, id: number): UserRow | undefined =>
  db.select().from(users).where(eq(users.id, id)).get();

export const findUserByName = (db: Db, name: string): UserRow | undefined =>
  db.select().from(users).where(eq(users.name, name)).get();

const USER_COLUMNS = `id, name, role, token_hash AS tokenHash, created_at AS createdAt, revoked_at AS revokedAt, created_by_import_id AS createdByImportId`;

/** Runs on every request: a statement prepared once, not a query built each time. */
export const findActiveUserByTokenHash = (db: Db, tokenHash: string): UserRow | undefined =>
  prepared(db, `SELECT ${USER_COLUMNS} FROM users WHERE token_hash = ? AND revoked_at IS NULL`).get(tokenHash) as UserRow | undefined;

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
