import { z } from '@hono/zod-openapi';
import { Cron } from 'croner';
import { SCALES } from '../../core/labels.js';
import { STRATEGY_IDS } from '../strategies/index.js';

/** A five- or six-field cron expression croner accepts (checked without scheduling anything). */
const cronSchema = z.string().refine(
  (expr) => {
    try {
      new Cron(expr, { paused: true }).stop();
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid cron expression (e.g. "0 3 * * *": every day at 03:00)' },
);

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export const projectNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "." and "-", starting with a letter or digit')
  .refine((n) => !/^\d+$/.test(n), 'a name cannot be all digits (numbers are project ids)')
  .openapi({ example: 'spam-triage' });

export const labelSchema = z
  .string()
  .min(1, 'a label cannot be empty')
  .max(200)
  .refine((l) => l.trim() === l, 'a label cannot start or end with white space')
  .refine((l) => !CONTROL_CHARS.test(l), 'a label cannot contain control characters');

export const labelSetSchema = z
  .array(labelSchema)
  .min(2, 'a project needs at least 2 labels')
  .max(1000, 'a project has at most 1,000 labels')
  .superRefine((labels, ctx) => {
    const seen = new Map<string, number>();
    labels.forEach((l, i) => {
      const first = seen.get(l);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate label "${l}" (also at ${first})` });
      else seen.set(l, i);
    });
  })
  .openapi({ example: ['ham', 'spam'] });

export const scaleSchema = z.enum(SCALES).openapi({ description: 'Measurement scale of the labels, used by agreement metrics' });

/** Every project setting, with its range and default; later features add keys here. */
export const projectSettingsSchema = z
  .object({
    overlap: z.number().int().min(1).max(50).default(1).openapi({ description: 'Annotations wanted per item' }),
    agreementSample: z.number().min(0).max(1).default(0).openapi({ description: 'Share of items that get agreementOverlap annotators' }),
    agreementOverlap: z.number().int().min(2).max(50).default(3),
    leaseSeconds: z.number().int().min(10).max(7 * 24 * 3600).default(600),
    goldRate: z.number().min(0).max(1).default(0).openapi({ description: 'Share of tasks that are gold items' }),
    goldThreshold: z.number().min(0).max(1).default(0.7).openapi({ description: 'Annotators below this gold accuracy are flagged' }),
    goldMinAnswers: z.number().int().min(1).max(1000).default(5).openapi({ description: 'Gold answers needed before an annotator can be flagged' }),
    maxPerAnnotator: z.number().int().min(1).nullable().default(null),
    showSuggestions: z.boolean().default(false).openapi({ description: "Show the model's suggestion on the labeling page (off: anchoring bias)" }),
    consensusMethod: z.enum(['majority', 'dawid-skene']).default('majority'),
    reviewBelowAgreement: z.number().gt(0).max(1).default(1).openapi({
      description: "An item whose majority holds less than this share of its labels goes to review once its slots are done (1: any disagreement)",
    }),
    retrainEveryNewLabels: z.number().int().min(1).max(1_000_000).nullable().default(null).openapi({
      description: 'Retrain (then evaluate, compare, maybe promote, re-score, select) after this many new pool labels; null: off',
    }),
    retrainCron: cronSchema.nullable().default(null).openapi({ description: 'Also retrain on this schedule while the server runs (cron, server time); null: off' }),
    retrainKind: z.enum(['softmax', 'mlp']).default('softmax'),
    promotionPolicy: z.enum(['auto', 'always', 'never']).default('auto').openapi({
      description: "auto: a challenger replaces the champion when its macro-F1 interval vs the champion lies above 0; always; never",
    }),
    loopStrategy: z.enum(STRATEGY_IDS as [string, ...string[]]).default('margin').openapi({ description: 'Strategy of the query batch the loop selects after re-scoring' }),
    loopBatchSize: z.number().int().min(0).max(100_000).default(50).openapi({ description: 'Size of that batch (0: none)' }),
    stopThreshold: z.number().min(0).max(1).default(0.99).openapi({ description: "Stabilizing predictions: suggest stopping once successive versions' kappa on the stop set stays at or above this" }),
  })
  .strict()
  .openapi('ProjectSettings');
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;
export const projectSettingsPatchSchema = projectSettingsSchema.partial().strict().openapi('ProjectSettingsPatch');

const settingsByStored = new WeakMap<object, Readonly<ProjectSettings>>();

/**
 * A project's settings with the defaults filled in (stored settings may predate a
 * key). Frozen stored objects (the repository's, one per stored text) are parsed once.
 */
export function settingsOf(stored: Record<string, unknown>): ProjectSettings {
  if (!Object.isFrozen(stored)) return projectSettingsSchema.parse({ ...stored });
  let s = settingsByStored.get(stored);
  if (!s) settingsByStored.set(stored, (s = Object.freeze(projectSettingsSchema.parse({ ...stored }))));
  return s;
}

export const createProjectSchema = z
  .object({
    name: projectNameSchema,
    description: z.string().max(10_000).default(''),
    labels: labelSetSchema,
    multiLabel: z.boolean().default(false),
    scale: scaleSchema.default('nominal'),
    settings: projectSettingsPatchSchema.default({}),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.multiLabel && p.scale !== 'nominal') {
      ctx.addIssue({ code: 'custom', path: ['scale'], message: 'a multi-label project has a nominal scale (each label is present or absent)' });
    }
  })
  .openapi('CreateProject');
export type CreateProjectInput = z.input<typeof createProjectSchema>;

export const updateProjectSchema = z
  .object({
    name: projectNameSchema.optional(),
    description: z.string().max(10_000).optional(),
    labels: labelSetSchema.optional(),
    scale: scaleSchema.optional(),
    settings: projectSettingsPatchSchema.optional(),
  })
  .strict()
  .openapi('UpdateProject');
export type UpdateProjectInput = z.infer<typeof updateProjectSchema>;

export const projectSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    labels: z.array(z.string()),
    multiLabel: z.boolean(),
    scale: scaleSchema,
    settings: projectSettingsSchema,
    featureDim: z.number().int().nullable(),
    counts: z.object({
      items: z.number().int(),
      pool: z.number().int(),
      eval: z.number().int(),
      gold: z.number().int(),
      labeled: z.number().int(),
      annotations: z.number().int(),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Project');
export type Project = z.infer<typeof projectSchema>;
