import { z } from '@hono/zod-openapi';
import { SPLITS } from '../../../core/labels.js';

/** The import (and export) line format; documented in the OpenAPI document and the README. */
export const importRecordSchema = z
  .object({
    id: z.union([z.string(), z.number().int()]).openapi({ description: 'External id, unique per project' }),
    split: z.enum(SPLITS).optional().openapi({ description: 'Overrides the import\'s --split for this item' }),
    text: z.string().nullable().optional(),
    features: z.array(z.number()).nullable().optional().openapi({ description: 'Embedding; same dimension for every item of a project' }),
    meta: z.record(z.string(), z.unknown()).nullable().optional(),
    label: z.union([z.string(), z.array(z.string())]).nullable().optional(),
    annotations: z
      .array(
        z.object({
          annotator: z.string(),
          label: z.union([z.string(), z.array(z.string())]),
          createdAt: z.string().optional(),
        }),
      )
      .optional(),
  })
  .openapi('ImportRecord');
