import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Role } from '../../core/labels.js';

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  role: text('role').$type<Role>().notNull(),
  /** sha256 of the bearer token; null for annotators known only from imported labels. */
  tokenHash: text('token_hash').unique(),
  createdAt: integer('created_at').notNull(),
  revokedAt: integer('revoked_at'),
  /** Set when an import created this annotator, so a failed import can remove it again. */
  createdByImportId: integer('created_by_import_id'),
});

export type UserRow = typeof users.$inferSelect;
