import { z } from '@hono/zod-openapi';
import { SPLITS } from '../../core/labels.js';
import { predictionSchema } from '../scoring/scoring.schemas.js';

export const labelValueSchema = z.union([z.string(), z.array(z.string())]);

export const annotationSchema = z
  .object({
    annotator: z.string(),
    label: labelValueSchema,
    source: z.enum(['import', 'task', 'gold', 'review']).openapi({ description: "gold: a gold item's known answer; review: a reviewer's final label" }),
    createdAt: z.string(),
  })
  .openapi('Annotation');

export const itemSchema = z
  .object({
    id: z.string().openapi({ description: 'External id, as imported' }),
    split: z.enum(SPLITS),
    text: z.string().nullable(),
    features: z.array(z.number()).nullable().optional().openapi({ description: 'Only with include=features' }),
    meta: z.record(z.string(), z.unknown()).nullable(),
    annotations: z.array(annotationSchema),
    prediction: predictionSchema.nullable().optional().openapi({ description: "Single-item view: the current scoring run's prediction (null when unscored)" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Item');
export type Item = z.infer<typeof itemSchema>;

export const listItemsQuerySchema = z.object({
  split: z.enum(SPLITS).optional(),
  labeled: z.enum(['true', 'false']).optional().openapi({ description: 'Only items with (true) or without (false) a current annotation' }),
  cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  include: z.enum(['features']).optional(),
});
export type ListItemsQuery = z.infer<typeof listItemsQuerySchema>;

export const itemPageSchema = z
  .object({ items: z.array(itemSchema), nextCursor: z.string().nullable() })
  .openapi('ItemPage');

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export const exportQuerySchema = z.object({
  format: z.enum(EXPORT_FORMATS).default('jsonl'),
  predictions: z.enum(['true', 'false']).default('false').openapi({ description: "Add each item's current prediction {modelVersion, label, probabilities}" }),
});
