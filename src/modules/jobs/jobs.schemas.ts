import { z } from '@hono/zod-openapi';
import { JOB_STATUSES } from '../../db/schema/jobs.js';

export const jobStatusSchema = z.enum(JOB_STATUSES);

export const jobSchema = z
  .object({
    id: z.number().int(),
    type: z.string().openapi({ example: 'import' }),
    projectId: z.number().int().nullable(),
    status: jobStatusSchema,
    progress: z.object({
      done: z.number().int(),
      total: z.number().int().nullable(),
      unit: z.string().nullable(),
      perSecond: z.number().nullable(),
      etaSeconds: z.number().nullable(),
    }),
    params: z.record(z.string(), z.unknown()),
    result: z.record(z.string(), z.unknown()).nullable(),
    error: z.string().nullable(),
    cancelRequested: z.boolean(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Job');
export type Job = z.infer<typeof jobSchema>;

export const listJobsQuerySchema = z.object({
  projectId: z.coerce.number().int().positive().optional(),
  status: jobStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
