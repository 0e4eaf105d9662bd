import { z } from '@hono/zod-openapi';
import { RUN_STATUSES } from '../../db/schema/models.js';
import { featurizerConfigSchema } from '../models/featurize/index.js';
// params.js, not the tfjs index: importing TF.js costs ~0.8 s, and only worker threads need it.
import { MODEL_KINDS } from '../models/tfjs/params.js';

/** Body of POST /api/v1/projects/:id/training-runs (and the flags of `quorum train`). */
export const startTrainingSchema = z
  .strictObject({
    kind: z.enum(MODEL_KINDS).default('softmax'),
    seed: z.number().int().min(0).max(0xffffffff).default(1),
    /** What the model reads: the items' features when the project has them, else their text. */
    input: z.enum(['features', 'text']).optional(),
    epochs: z.number().int().min(1).max(10_000).optional(),
    batchSize: z.number().int().min(1).max(65_536).optional(),
    learningRate: z.number().positive().max(10).optional(),
    l2: z.number().min(0).max(10).optional(),
    hidden: z.array(z.number().int().min(1).max(16_384)).min(1).max(2).optional(),
    dropout: z.number().min(0).max(0.9).optional(),
    classWeights: z.enum(['balanced', 'none']).optional(),
    validationFraction: z.number().min(0).max(0.5).optional(),
    patience: z.number().int().min(1).max(1000).optional(),
    standardize: z.boolean().optional(),
    featurizer: featurizerConfigSchema.partial().optional().openapi({ description: 'Text models: hashed n-gram featurizer settings' }),
  })
  .openapi('StartTraining');
export type StartTrainingInput = z.input<typeof startTrainingSchema>;
export type TrainingRequest = z.output<typeof startTrainingSchema>;

export const trainingRunSchema = z
  .object({
    id: z.number().int(),
    status: z.enum(RUN_STATUSES),
    kind: z.string(),
    params: z.record(z.string(), z.unknown()),
    modelVersion: z.number().int().nullable(),
    jobId: z.number().int().nullable(),
    error: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('TrainingRun');
export type TrainingRun = z.infer<typeof trainingRunSchema>;

export const trainingJobParamsSchema = z.object({ trainingRunId: z.number().int() });
