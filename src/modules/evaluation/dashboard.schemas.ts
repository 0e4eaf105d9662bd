import { z } from '@hono/zod-openapi';
import { stoppingSignalSchema } from './evaluation.schemas.js';

const ci = z.tuple([z.number(), z.number()]).nullable().openapi({ description: '95% bootstrap interval; null when not computed (multi-label, or no rows)' });
const metricWithCi = z.object({ value: z.number().nullable(), ci });

export const dashboardSchema = z
  .object({
    project: z.string(),
    labels: z.array(z.string()),
    multiLabel: z.boolean(),
    generatedAt: z.string(),
    completion: z
      .object({
        items: z.number().int().openapi({ description: 'Pool and eval items' }),
        complete: z.number().int().openapi({ description: 'Of those, items with all the annotations they want (overlap, or agreementOverlap for the agreement sample)' }),
        rate: z.number().nullable().openapi({ description: 'complete / items; null without items' }),
      })
      .openapi({ description: 'How much of the labelling is done' }),
    labelsPerDay: z
      .array(z.object({ date: z.string().openapi({ example: '2025-01-31' }), task: z.number().int(), import: z.number().int(), review: z.number().int() }))
      .openapi({ description: 'The last 60 UTC days, oldest first, every day present: labels created that day by source (superseded ones too: the work was done; gold answers are not)' }),
    goldThreshold: z.number(),
    annotators: z.array(
      z.object({
        annotator: z.string(),
        annotations: z.number().int().openapi({ description: 'Current task labels' }),
        medianSeconds: z.number().nullable(),
        goldAnswered: z.number().int(),
        goldAccuracy: z.number().nullable(),
        flagged: z.boolean().openapi({ description: 'Gold accuracy below goldThreshold after goldMinAnswers answers' }),
      }),
    ),
    champion: z.number().int().nullable().openapi({ description: 'Version number of the champion (the latest promoted challenger)' }),
    learningCurve: z
      .array(z.object({ version: z.number().int(), trainingLabels: z.number().int().nullable(), evalItems: z.number().int(), accuracy: metricWithCi, macroF1: metricWithCi }))
      .openapi({ description: "Each evaluated version's latest evaluation, by version; versions Quorum did not train have no trainingLabels" }),
    versions: z
      .array(
        z.object({
          version: z.number().int(),
          kind: z.string(),
          champion: z.boolean(),
          trainingLabels: z.number().int().nullable(),
          evalItems: z.number().int().nullable(),
          accuracy: z.number().nullable().openapi({ description: 'Multi-label: subset accuracy' }),
          macroF1: z.number().nullable(),
          intervals: z.object({ accuracy: ci, macroF1: ci }),
          decision: z.enum(['promoted', 'kept']).nullable().openapi({ description: 'The promotion decision the loop took when it trained this version; null: not decided (trained by hand or registered)' }),
          reason: z.string().nullable(),
          createdAt: z.string(),
        }),
      )
      .openapi({ description: 'Newest first' }),
    confusion: z
      .object({
        version: z.number().int(),
        champion: z.boolean().openapi({ description: 'false: no champion yet, this is the latest evaluated version' }),
        labels: z.array(z.string()),
        counts: z.array(z.array(z.number().int())).openapi({ description: 'counts[t][p]: eval items of true label t predicted as p' }),
      })
      .nullable(),
    calibration: z
      .object({
        version: z.number().int(),
        champion: z.boolean(),
        ece: z.number().nullable(),
        bins: z.array(z.object({ lower: z.number(), upper: z.number(), count: z.number().int(), confidence: z.number().nullable(), accuracy: z.number().nullable() })),
      })
      .nullable(),
    stopping: stoppingSignalSchema,
  })
  .openapi('Dashboard');
export type Dashboard = z.infer<typeof dashboardSchema>;
