import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { projects } from './projects.js';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    type: text('type').notNull(),
    projectId: integer('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    status: text('status').$type<JobStatus>().notNull(),
    params: text('params', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    result: text('result', { mode: 'json' }).$type<Record<string, unknown>>(),
    error: text('error'),
    progressDone: integer('progress_done').notNull().default(0),
    progressTotal: integer('progress_total'),
    progressUnit: text('progress_unit'),
    cancelRequested: integer('cancel_requested', { mode: 'boolean' }).notNull().default(false),
    /** Which process runs it: a job whose process is gone is marked failed at the next start. */
    runnerPid: integer('runner_pid'),
    runnerHost: text('runner_host'),
    heartbeatAt: integer('heartbeat_at'),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('jobs_status_idx').on(t.status), index('jobs_project_idx').on(t.projectId, t.id)],
);

export type JobRow = typeof jobs.$inferSelect;
