import { z } from '@hono/zod-openapi';
import { SCALES } from '../../core/labels.js';

export const AGREEMENT_METRICS = ['percent', 'cohen-kappa', 'scott-pi', 'fleiss-kappa', 'krippendorff-alpha', 'gwet-ac1'] as const;
export type AgreementMetric = (typeof AGREEMENT_METRICS)[number];
export const WEIGHTS = ['none', 'linear', 'quadratic'] as const;

export const agreementQuerySchema = z.object({
  metric: z.enum(AGREEMENT_METRICS).optional().openapi({ description: 'One metric; all of them when absent' }),
  level: z.enum(SCALES).optional().openapi({ description: "Krippendorff's level; default: the project's scale" }),
  weights: z.enum(WEIGHTS).default('none').openapi({ description: "Cohen's kappa weights (ordinal or finer scales)" }),
  resamples: z.coerce.number().int().min(0).max(100_000).default(1000).openapi({ description: 'Bootstrap resamples for the 95% interval; 0 = none' }),
  seed: z.coerce.number().int().min(0).max(2 ** 31 - 1).default(1),
});
export type AgreementQuery = z.input<typeof agreementQuerySchema>;

const valueSchema = z.number().nullable();

export const metricResultSchema = z
  .object({
    metric: z.enum(AGREEMENT_METRICS),
    level: z.enum(SCALES),
    weights: z.enum(WEIGHTS).optional(),
    value: valueSchema,
    reason: z.string().optional(),
    ci: z.tuple([z.number(), z.number()]).nullable().openapi({ description: '95% percentile bootstrap interval over units' }),
    units: z.number().int(),
    annotators: z.number().int(),
  })
  .openapi('AgreementMetric');
export type MetricResult = z.infer<typeof metricResultSchema>;

export const agreementReportSchema = z
  .object({
    project: z.string(),
    level: z.enum(SCALES),
    weights: z.enum(WEIGHTS),
    resamples: z.number().int(),
    seed: z.number().int(),
    units: z.number().int().openapi({ description: 'Items with two or more annotations' }),
    annotators: z.number().int(),
    metrics: z.array(metricResultSchema),
    perLabel: z.array(
      z.object({
        label: z.string(),
        alpha: valueSchema,
        kappa: valueSchema.openapi({ description: "Fleiss' kappa of the label as present/absent" }),
        reason: z.string().optional(),
      }),
    ),
    pairwise: z.object({
      annotators: z.array(z.string()),
      kappa: z.array(z.array(valueSchema)).openapi({ description: "Cohen's kappa per annotator pair (diagonal: 1 when the annotator has units)" }),
      units: z.array(z.array(z.number().int())),
    }),
    perAnnotator: z.array(
      z.object({
        annotator: z.string(),
        annotations: z.number().int(),
        meanPairwiseKappa: valueSchema,
        withConsensus: z.object({ units: z.number().int(), agreement: valueSchema, kappa: valueSchema }),
      }),
    ),
    confusion: z.object({
      labels: z.array(z.string()),
      counts: z.array(z.array(z.number().int())).openapi({ description: 'How often two annotators of one item gave label i and label j (symmetric)' }),
    }),
  })
  .openapi('AgreementReport');
export type AgreementReport = z.infer<typeof agreementReportSchema>;

export const CONSENSUS_METHODS = ['majority', 'dawid-skene'] as const;
export type ConsensusMethod = (typeof CONSENSUS_METHODS)[number];

export const consensusQuerySchema = z.object({
  method: z.enum(CONSENSUS_METHODS).default('majority'),
  seed: z.coerce.number().int().min(0).max(2 ** 31 - 1).default(1),
});

export const consensusItemSchema = z
  .object({
    id: z.string(),
    split: z.enum(['pool', 'eval', 'gold']),
    label: z.union([z.string(), z.array(z.string())]).nullable().openapi({ description: 'null when unresolved (a tie)' }),
    confidence: z.number().nullable().openapi({ description: 'Majority: share of the votes; Dawid–Skene: posterior probability' }),
    source: z.enum(['majority', 'dawid-skene', 'gold', 'review', 'unresolved']).openapi({ description: 'review: a reviewer resolved the item; it wins over the vote' }),
    votes: z.number().int(),
    agreement: z.number().openapi({ description: 'Share of the majority among the annotations (item agreement score)' }),
    probabilities: z.record(z.string(), z.number()).optional(),
  })
  .openapi('ConsensusItem');
export type ConsensusItem = z.infer<typeof consensusItemSchema>;

export const consensusReportSchema = z
  .object({
    project: z.string(),
    method: z.enum(CONSENSUS_METHODS),
    seed: z.number().int(),
    summary: z.object({ items: z.number().int(), resolved: z.number().int(), unresolved: z.number().int(), gold: z.number().int(), reviewed: z.number().int() }),
    annotators: z.array(z.object({ annotator: z.string(), annotations: z.number().int(), accuracy: z.number().nullable() })),
    iterations: z.number().int().optional(),
    converged: z.boolean().optional(),
    items: z.array(consensusItemSchema),
  })
  .openapi('ConsensusReport');
export type ConsensusReport = z.infer<typeof consensusReportSchema>;
