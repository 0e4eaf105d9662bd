import { z } from '@hono/zod-openapi';

export const evaluationSchema = z
  .object({
    id: z.number().int(),
    modelVersion: z.number().int(),
    evalItems: z.number().int().openapi({ description: 'Eval items with a consensus label the version answered' }),
    trainingLabels: z.number().int().nullable().openapi({ description: "Labels in the version's training snapshot" }),
    metrics: z.record(z.string(), z.unknown()).openapi({ description: 'accuracy, macroF1 (with 95% bootstrap intervals), per class, confusion, log loss, Brier, ECE with bins, AUROC; multi-label: micro/macro F1, Hamming loss' }),
    createdAt: z.string(),
  })
  .openapi('Evaluation');
export type Evaluation = z.infer<typeof evaluationSchema>;

const bootstrapSchema = z.object({
  metric: z.string(),
  a: z.number().nullable(),
  b: z.number().nullable(),
  difference: z.number().nullable(),
  ci: z.tuple([z.number(), z.number()]).nullable(),
  level: z.number(),
  resamples: z.number().int(),
  seed: z.number().int(),
  labels: z.number().int(),
  reason: z.string().optional(),
});

export const comparisonSchema = z
  .object({
    a: z.number().int(),
    b: z.number().int(),
    evalItems: z.number().int(),
    mcnemar: z.object({ n: z.number().int(), b: z.number().int(), c: z.number().int(), pValue: z.number() }).openapi({ description: 'b: A right and B wrong; c: A wrong and B right; exact two-sided p' }),
    accuracy: bootstrapSchema.openapi({ description: 'B − A with a paired bootstrap 95% interval' }),
    macroF1: bootstrapSchema,
  })
  .openapi('Comparison');
export type Comparison = z.infer<typeof comparisonSchema>;

export const stoppingSignalSchema = z
  .object({
    threshold: z.number(),
    window: z.number().int(),
    pairs: z.array(z.object({ from: z.number().int(), to: z.number().int(), items: z.number().int(), agreement: z.number().nullable(), kappa: z.number().nullable() })),
    stop: z.boolean().openapi({ description: 'More labels have stopped changing the predictions: a suggested stop' }),
    since: z.number().int().optional(),
  })
  .openapi('StoppingSignal');
export type StoppingSignal = z.infer<typeof stoppingSignalSchema>;

export const evaluationsQuerySchema = z.object({
  compare: z
    .string()
    .regex(/^\d+,\d+$/, 'two version numbers, e.g. 1,2')
    .optional()
    .openapi({ description: 'Two version numbers A,B: compare them on the same eval items' }),
});

export const retrainSchema = z
  .strictObject({
    minNewLabels: z.number().int().min(0).default(1).openapi({ description: 'Do nothing unless at least this many pool labels arrived since the last trained version' }),
    promote: z.enum(['auto', 'always', 'never']).optional().openapi({ description: "Default: the project's promotionPolicy" }),
  })
  .openapi('Retrain');
export type RetrainInput = z.input<typeof retrainSchema>;

export const retrainResultSchema = z
  .object({
    status: z.enum(['trained', 'nothing-new', 'already-running']),
    modelVersion: z.number().int().nullable(),
    trainingLabels: z.number().int().nullable(),
    newLabels: z.number().int(),
    evaluation: z.object({ accuracy: z.number().nullable(), macroF1: z.number().nullable(), evalItems: z.number().int() }).passthrough().nullable(),
    comparison: comparisonSchema.nullable().optional(),
    promoted: z.boolean(),
    champion: z.number().int().nullable(),
    reason: z.string(),
    scoringRun: z.number().int().nullable(),
    queryBatch: z.number().int().nullable(),
  })
  .openapi('RetrainResult');
export type RetrainResult = z.infer<typeof retrainResultSchema>;
