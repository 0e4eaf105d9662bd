import { z } from '@hono/zod-openapi';
import { SLOT_SOURCES } from '../../db/schema/queue.js';

const labelValue = z.union([z.string(), z.array(z.string())]).openapi({ description: 'One label, or an array of labels for multi-label projects' });
const itemContent = z.object({ id: z.string(), text: z.string().nullable(), meta: z.record(z.string(), z.unknown()).nullable() });

export const submitAnnotationSchema = z
  .object({
    label: labelValue,
    durationMs: z.number().int().min(0).max(86_400_000).optional().openapi({ description: 'Time the annotator spent on the item' }),
  })
  .strict()
  .openapi('SubmitAnnotation');

export const skipSchema = z.object({ reason: z.string().max(500).optional() }).strict().openapi('SkipTask');
export const resolveSchema = z.object({ label: labelValue }).strict().openapi('ResolveReview');

export const claimedTaskSchema = z
  .object({ taskId: z.number().int(), item: itemContent, source: z.enum(SLOT_SOURCES), leaseExpiresAt: z.string() })
  .openapi('Task');

export const submitResultSchema = z
  .object({ taskId: z.number().int(), label: labelValue, createdAt: z.string(), replayed: z.boolean() })
  .openapi('SubmitResult');

export const submitAndNextResultSchema = submitResultSchema
  .extend({
    next: claimedTaskSchema.nullable().optional().openapi({
      description:
        'Only with ?next=true: your next task of the same project, claimed in the same transaction as the submit (null: nothing left for you). On a replay: the task you hold, else a newly claimed one.',
    }),
  })
  .openapi('SubmitResultWithNext');

export const claimedReviewSchema = z
  .object({
    reviewId: z.number().int(),
    item: itemContent,
    labels: z.array(z.object({ annotator: z.string().openapi({ description: 'Anonymised: A, B, C…' }), label: labelValue })),
    leaseExpiresAt: z.string(),
  })
  .openapi('Review');

const counts = z.object({ open: z.number().int(), leased: z.number().int(), done: z.number().int() });
export const queueStatusSchema = z
  .object({
    project: z.string(),
    open: z.number().int(),
    leased: z.number().int(),
    done: z.number().int(),
    notYetQueued: z.number().int(),
    bySource: z.record(z.enum(SLOT_SOURCES), counts),
    reviews: z.object({ open: z.number().int(), resolved: z.number().int() }),
  })
  .openapi('QueueStatus');

export const annotatorStatsSchema = z
  .object({
    annotator: z.string(),
    done: z.number().int(),
    doneToday: z.number().int(),
    medianSeconds: z.number().nullable(),
    gold: z.object({ answered: z.number().int(), correct: z.number().int(), accuracy: z.number().nullable(), flagged: z.boolean() }),
  })
  .openapi('AnnotatorStats');

export const progressSchema = z
  .object({
    doneToday: z.number().int(),
    done: z.number().int(),
    queueLeft: z.number().int(),
    gold: z.object({ answered: z.number().int(), accuracy: z.number().nullable() }),
  })
  .openapi('Progress');
