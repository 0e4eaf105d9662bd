import { z } from '@hono/zod-openapi';
import { STRATEGY_IDS } from '../strategies/index.js';

/** Body of POST /api/v1/projects/:id/query-batches (and the flags of `quorum select`). */
export const createBatchSchema = z
  .strictObject({
    strategy: z.enum(STRATEGY_IDS as [string, ...string[]]).openapi({ description: 'A strategy id of the registry' }),
    size: z.number().int().min(1).max(100_000),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional().openapi({ description: 'Default: drawn at random, and stored' }),
    exploration: z.number().min(0).max(1).default(0.1).openapi({ description: 'Share of the batch given to uniformly random pool items' }),
    groupBy: z.string().min(1).optional().openapi({ description: 'stratified: the meta field to stratify by' }),
    options: z
      .strictObject({
        beta: z.number().min(0).max(10).optional(),
        topM: z.number().int().min(1).optional(),
        iterations: z.number().int().min(0).max(100).optional(),
        measure: z.enum(['least-confidence', 'margin', 'entropy']).optional(),
        maxWork: z.number().positive().optional(),
      })
      .default({}),
    dryRun: z.boolean().default(false).openapi({ description: 'Return the picks without storing or queueing them' }),
  })
  .openapi('CreateQueryBatch');
export type CreateBatchInput = z.input<typeof createBatchSchema>;

export const batchItemSchema = z.object({
  rank: z.number().int(),
  id: z.string().openapi({ description: 'External item id' }),
  score: z.number(),
  explore: z.boolean().openapi({ description: 'A uniformly random exploration pick' }),
});

export const queryBatchSchema = z
  .object({
    id: z.number().int().nullable().openapi({ description: 'null for a dry run' }),
    strategy: z.string(),
    size: z.number().int(),
    picked: z.number().int(),
    seed: z.number().int(),
    exploration: z.number(),
    modelVersion: z.number().int().nullable(),
    scoringRunId: z.number().int().nullable(),
    params: z.record(z.string(), z.unknown()),
    queued: z.number().int().openapi({ description: 'Annotation slots this batch added to the queue' }),
    createdAt: z.string().nullable(),
    items: z.array(batchItemSchema),
  })
  .openapi('QueryBatch');
export type QueryBatch = z.infer<typeof queryBatchSchema>;
