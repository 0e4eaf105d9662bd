import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Scale } from '../../core/labels.js';

export const projects = sqliteTable('projects', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  description: text('description').notNull().default(''),
  /** Ordered label set, JSON array of strings; the order is the scale for ordinal agreement. */
  labels: text('labels', { mode: 'json' }).$type<string[]>().notNull(),
  multiLabel: integer('multi_label', { mode: 'boolean' }).notNull().default(false),
  scale: text('scale').$type<Scale>().notNull().default('nominal'),
  /** Settings that later features extend (overlap, leases, retraining…); validated by the projects module. */
  settings: text('settings', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
  /** Fixed by the first import that carries features. */
  featureDim: integer('feature_dim'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export type ProjectRow = typeof projects.$inferSelect;
