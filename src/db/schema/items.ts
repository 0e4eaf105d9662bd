import { sql } from 'drizzle-orm';
import { blob, index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { LabelValue, Split } from '../../core/labels.js';
import { projects } from './projects.js';
import { users } from './users.js';

export const IMPORT_STATES = ['staging', 'committed', 'failed'] as const;
/** import: a label from a file; task: given in Quorum; gold: a gold item's known answer; review: a reviewer's final label. */
export type AnnotationSource = 'import' | 'task' | 'gold' | 'review';
export type ImportState = (typeof IMPORT_STATES)[number];

/**
 * One row per import. Every row an import writes carries its `import_id`, and is
 * visible only once that import's state is `committed`: committing flips one row
 * in one tiny transaction, so a large import becomes visible at once without
 * holding the write lock for its whole length (src/db/visibility.ts).
 */
export const imports = sqliteTable('imports', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  projectId: integer('project_id')
    .notNull()
    .references(() => projects.id, { onDelete: 'cascade' }),
  jobId: integer('job_id'),
  state: text('state').$type<ImportState>().notNull(),
  source: text('source').notNull(),
  createdAt: integer('created_at').notNull(),
  finishedAt: integer('finished_at'),
});

export const items = sqliteTable(
  'items',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    split: text('split').$type<Split>().notNull(),
    text: text('text'),
    /** float32 little-endian, `projects.feature_dim` values. */
    features: blob('features', { mode: 'buffer' }),
    meta: text('meta'),
    /** A seeded pseudo-random key (from the project and the external id): the cold-start order and the agreement sample. */
    rand: real('rand').notNull(),
    /** sha256 of the canonical content (split, text, features, meta): re-imports compare it. */
    contentHash: text('content_hash').notNull(),
    /** The import that created it: the item is visible once that import committed. */
    importId: integer('import_id').notNull(),
    /** Line in the import file that created it (to name both lines of a duplicate id). */
    importLine: integer('import_line').notNull(),
    /** Whether the annotation queue has a slot for it; set in the slot's own transaction (insertSlot). */
    queued: integer('queued', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('items_project_external_uq').on(t.projectId, t.externalId),
    index('items_project_id_idx').on(t.projectId, t.id),
    index('items_project_rand_idx').on(t.projectId, t.rand),
    index('items_project_split_idx').on(t.projectId, t.split, t.id),
    index('items_import_idx').on(t.importId),
    // the pool and eval items the queue has not taken yet, in cold-start order: a refill reads only them
    index('items_project_unqueued_idx').on(t.projectId, t.rand, t.id).where(sql`${t.queued} = 0 AND ${t.split} IN ('pool', 'eval')`),
  ],
);

export const annotations = sqliteTable(
  'annotations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'cascade' }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    annotatorId: integer('annotator_id')
      .notNull()
      .references(() => users.id),
    /** JSON: a label string, or an array of labels for multi-label projects. */
    value: text('value', { mode: 'json' }).$type<LabelValue>().notNull(),
    source: text('source').$type<AnnotationSource>().notNull(),
    durationMs: integer('duration_ms'),
    createdAt: integer('created_at').notNull(),
    /** Set when a newer annotation by the same annotator replaces it; history is kept. */
    supersededAt: integer('superseded_at'),
    /** Set when an import wrote it: visible once that import committed. Null for labels given in Quorum. */
    importId: integer('import_id'),
  },
  (t) => [
    index('annotations_item_idx').on(t.itemId, t.annotatorId),
    index('annotations_project_idx').on(t.projectId, t.createdAt),
    index('annotations_import_idx').on(t.importId),
    // one annotator's own work (their progress after every submit), not a walk over the project's annotations
    index('annotations_annotator_idx').on(t.annotatorId, t.projectId),
  ],
);

/** Changes an `--upsert` import makes to items that already exist, applied when the import commits. */
export const importChanges = sqliteTable(
  'import_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    importId: integer('import_id')
      .notNull()
      .references(() => imports.id, { onDelete: 'cascade' }),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'cascade' }),
    split: text('split').$type<Split>().notNull(),
    text: text('text'),
    features: blob('features', { mode: 'buffer' }),
    meta: text('meta'),
    contentHash: text('content_hash').notNull(),
    importLine: integer('import_line').notNull(),
    /** JSON array of annotation ids that the import's annotations replace. */
    supersedes: text('supersedes', { mode: 'json' }).$type<number[]>().notNull(),
  },
  (t) => [uniqueIndex('import_changes_item_uq').on(t.importId, t.itemId)],
);

export type ItemRow = typeof items.$inferSelect;
export type AnnotationRow = typeof annotations.$inferSelect;
