import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { items } from './items.js';
import { projects } from './projects.js';
import { users } from './users.js';

export const SLOT_SOURCES = ['batch', 'explore', 'eval', 'gold', 'cold-start'] as const;
export type SlotSource = (typeof SLOT_SOURCES)[number];

/**
 * One row per annotation an item still wants: an item with overlap 3 has three
 * slots. A claim takes one free slot (or one whose lease expired) in a single
 * conditional UPDATE, so no item ever gets more annotators than it has slots.
 */
export const queueSlots = sqliteTable(
  'queue_slots',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'cascade' }),
    source: text('source').$type<SlotSource>().notNull(),
    /** Higher first; ties by id (the order slots were queued in). */
    priority: real('priority').notNull(),
    status: text('status').$type<'open' | 'leased' | 'done'>().notNull(),
    /** The task that holds (or completed) the slot. */
    taskId: integer('task_id'),
    leaseExpiresAt: integer('lease_expires_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('queue_slots_claim_idx').on(t.projectId, t.status, sql`${t.priority} DESC`, t.id),
    index('queue_slots_item_idx').on(t.itemId),
    // the claim's expired-lease half seeks the expired leases instead of reading every live one
    index('queue_slots_lease_idx').on(t.projectId, t.status, t.leaseExpiresAt),
  ],
);

export const TASK_STATUSES = ['leased', 'done', 'skipped', 'expired'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** One row per claim: who holds which slot until when, and how it ended. */
export const tasks = sqliteTable(
  'tasks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slotId: integer('slot_id')
      .notNull()
      .references(() => queueSlots.id, { onDelete: 'cascade' }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'cascade' }),
    annotatorId: integer('annotator_id')
      .notNull()
      .references(() => users.id),
    status: text('status').$type<TaskStatus>().notNull(),
    leasedAt: integer('leased_at').notNull(),
    leaseExpiresAt: integer('lease_expires_at').notNull(),
    finishedAt: integer('finished_at'),
    annotationId: integer('annotation_id'),
    /** The Idempotency-Key of the submit that completed it: a retry with the same key replays. */
    idempotencyKey: text('idempotency_key'),
    skipReason: text('skip_reason'),
  },
  (t) => [
    index('tasks_item_annotator_idx').on(t.itemId, t.annotatorId),
    index('tasks_slot_idx').on(t.slotId),
    index('tasks_annotator_idx').on(t.projectId, t.annotatorId, t.status, t.finishedAt),
  ],
);

/** Items whose annotators disagree once their overlap is complete: a reviewer decides. */
export const reviews = sqliteTable(
  'reviews',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'cascade' }),
    status: text('status').$type<'open' | 'leased' | 'resolved'>().notNull(),
    reviewerId: integer('reviewer_id'),
    leaseExpiresAt: integer('lease_expires_at'),
    annotationId: integer('annotation_id'),
    createdAt: integer('created_at').notNull(),
    resolvedAt: integer('resolved_at'),
  },
  (t) => [uniqueIndex('reviews_item_uq').on(t.itemId), index('reviews_claim_idx').on(t.projectId, t.status, t.id)],
);

/**
 * A stored, seeded query batch: which strategy picked which items, with which
 * parameters, seed, model version and scoring run, so any queued item can be
 * explained afterwards and the batch reproduced.
 */
export const queryBatches = sqliteTable(
  'query_batches',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    strategy: text('strategy').notNull(),
    /** Requested size, exploration share, strategy options, candidate counts. */
    params: text('params', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    seed: integer('seed').notNull(),
    size: integer('size').notNull(),
    picked: integer('picked').notNull(),
    exploration: real('exploration').notNull(),
    modelVersionId: integer('model_version_id'),
    scoringRunId: integer('scoring_run_id'),
    createdBy: integer('created_by'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('query_batches_project_idx').on(t.projectId, t.id)],
);

export const queryBatchItems = sqliteTable(
  'query_batch_items',
  {
    batchId: integer('batch_id')
      .notNull()
      .references(() => queryBatches.id, { onDelete: 'cascade' }),
    /** 0 = best. */
    rank: integer('rank').notNull(),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'cascade' }),
    score: real('score').notNull(),
    /** A uniformly random exploration pick, not the strategy's. */
    explore: integer('explore', { mode: 'boolean' }).notNull(),
  },
  (t) => [uniqueIndex('query_batch_items_rank_uq').on(t.batchId, t.rank), index('query_batch_items_item_idx').on(t.itemId)],
);

export type QueryBatchRow = typeof queryBatches.$inferSelect;
