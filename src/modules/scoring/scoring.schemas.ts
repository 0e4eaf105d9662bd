import { z } from '@hono/zod-openapi';
import { RUN_STATUSES } from '../../db/schema/models.js';

export const startScoringSchema = z
  .strictObject({
    modelVersion: z.number().int().min(1).optional().openapi({ description: 'Version number; the latest version when omitted' }),
  })
  .openapi('StartScoring');
export type StartScoringInput = z.input<typeof startScoringSchema>;

export const scoringRunSchema = z
  .object({
    id: z.number().int(),
    modelVersion: z.number().int(),
    status: z.enum(RUN_STATUSES),
    itemCount: z.number().int(),
    jobId: z.number().int().nullable(),
    error: z.string().nullable(),
    current: z.boolean().openapi({ description: 'Its predictions are the ones items show' }),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    prunedAt: z.string().nullable().openapi({ description: 'When its predictions were deleted (a newer run of its version, or beyond the 3 most recent runs)' }),
  })
  .openapi('ScoringRun');
export type ScoringRun = z.infer<typeof scoringRunSchema>;

export const predictionSchema = z
  .object({
    modelVersion: z.number().int(),
    scoringRunId: z.number().int(),
    label: z.string().openapi({ description: 'Most probable label (single-label) / label closest to certain (multi-label arg-max)' }),
    probabilities: z.record(z.string(), z.number()),
    maxProbability: z.number(),
    margin: z.number(),
    entropy: z.number(),
  })
  .openapi('Prediction');
export type Prediction = z.infer<typeof predictionSchema>;

export const scoringJobParamsSchema = z.object({ scoringRunId: z.number().int() });
