import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { jobs } from './jobs.js';
import { projects } from './projects.js';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * An immutable model version: what it is (kind + config), its bytes (artifact with a
 * content hash, for built-in and ONNX models), its label order (the column order of
 * its probabilities) and, for trained versions, what it was trained on.
 */
export const modelVersions = sqliteTable(
  'model_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** 1, 2, … per project. */
    version: integer('version').notNull(),
    kind: text('kind').notNull(),
    /** JSON array: the output column order. */
    labels: text('labels', { mode: 'json' }).$type<string[]>().notNull(),
    multiLabel: integer('multi_label', { mode: 'boolean' }).notNull(),
    /** Item field the model reads: features | text. */
    input: text('input').notNull(),
    /** Kind-specific settings (validated by the models module's discriminated union). */
    config: text('config', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    artifact: blob('artifact', { mode: 'buffer' }),
    artifactHash: text('artifact_hash'),
    /** Training hyper-parameters and seed, for trained versions. */
    hyperParams: text('hyper_params', { mode: 'json' }).$type<Record<string, unknown>>(),
    seed: integer('seed'),
    trainingRunId: integer('training_run_id'),
    /** { labelCount, itemCount, annotationIdsHash, … } for trained versions. */
    trainingSnapshot: text('training_snapshot', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** Training report (epochs, validation accuracy, time). */
    trainingReport: text('training_report', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('model_versions_project_version_uq').on(t.projectId, t.version)],
);

/** A request to train a built-in model; the version it made when it succeeded. */
export const trainingRuns = sqliteTable(
  'training_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    jobId: integer('job_id').references(() => jobs.id, { onDelete: 'set null' }),
    status: text('status').$type<RunStatus>().notNull(),
    kind: text('kind').notNull(),
    params: text('params', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    modelVersionId: integer('model_version_id').references(() => modelVersions.id, { onDelete: 'set null' }),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('training_runs_project_idx').on(t.projectId, t.id)],
);

/**
 * One pass of a model version over every item of a project. Its predictions count
 * only once it succeeded: readers take the latest succeeded run.
 */
export const scoringRuns = sqliteTable(
  'scoring_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    modelVersionId: integer('model_version_id')
      .notNull()
      .references(() => modelVersions.id, { onDelete: 'cascade' }),
    jobId: integer('job_id').references(() => jobs.id, { onDelete: 'set null' }),
    status: text('status').$type<RunStatus>().notNull(),
    itemCount: integer('item_count').notNull().default(0),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
    /** When its predictions were deleted (a newer run of its version, or the retention of recent runs); it is never current again. */
    prunedAt: integer('pruned_at'),
  },
  (t) => [index('scoring_runs_project_idx').on(t.projectId, t.status, t.id)],
);

/**
 * Per item and scoring run: the probabilities (float32 little-endian, in the PROJECT's
 * label order, whatever the version's own order) and the cheap orderings.
 */
export const predictions = sqliteTable(
  'predictions',
  {
    scoringRunId: integer('scoring_run_id')
      .notNull()
      .references(() => scoringRuns.id, { onDelete: 'cascade' }),
    itemId: integer('item_id').notNull(),
    /** Index (project order) of the most probable label. */
    label: integer('label').notNull(),
    maxProb: real('max_prob').notNull(),
    /** Top-1 minus top-2 probability (single-label); for multi-label, the smallest |p − 0.5| × 2. */
    margin: real('margin').notNull(),
    /** Shannon entropy in nats (multi-label: mean binary entropy). */
    entropy: real('entropy').notNull(),
    probs: blob('probs', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.scoringRunId, t.itemId] })],
);

export type ModelVersionRow = typeof modelVersions.$inferSelect;
export type TrainingRunRow = typeof trainingRuns.$inferSelect;
export type ScoringRunRow = typeof scoringRuns.$inferSelect;

/**
 * A model version measured on the project's eval items (consensus labels), plus its
 * predicted classes on the stop set (a fixed seeded sample of pool items) for the
 * stabilizing-predictions signal.
 */
export const evaluations = sqliteTable(
  'evaluations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    modelVersionId: integer('model_version_id')
      .notNull()
      .references(() => modelVersions.id, { onDelete: 'cascade' }),
    /** Eval items with a consensus label that the version could read. */
    evalItems: integer('eval_items').notNull(),
    /** Labels the version was trained on (its snapshot), for learning curves. */
    trainingLabels: integer('training_labels'),
    /** Everything the metrics module computed (accuracy, macro-F1 with intervals, confusion, calibration…). */
    metrics: text('metrics', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** { itemIds: number[], classes: number[] } on the stop set. */
    stopSet: text('stop_set', { mode: 'json' }).$type<{ itemIds: number[]; classes: number[] }>(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('evaluations_project_idx').on(t.projectId, t.modelVersionId, t.id)],
);

/** Every champion/challenger decision, with its numbers: the champion is the latest promoted challenger. */
export const promotions = sqliteTable(
  'promotions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    challengerVersionId: integer('challenger_version_id')
      .notNull()
      .references(() => modelVersions.id, { onDelete: 'cascade' }),
    championVersionId: integer('champion_version_id').references(() => modelVersions.id, { onDelete: 'set null' }),
    /** promoted | kept */
    decision: text('decision').notNull(),
    /** auto | always | never | manual */
    policy: text('policy').notNull(),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('promotions_project_idx').on(t.projectId, t.id)],
);

export type EvaluationRow = typeof evaluations.$inferSelect;
export type PromotionRow = typeof promotions.$inferSelect;
