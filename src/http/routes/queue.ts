import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ValidationError } from '../../core/errors.js';
import { projectSchema, projectSettingsPatchSchema, updateSettings } from '../../modules/projects/index.js';
import {
  annotatorStats, annotatorStatsSchema, claimNextReview, claimedReviewSchema, claimedTaskSchema, myProgress, progressSchema, queueStatus, queueStatusSchema,
  resolveReview, resolveSchema, skipSchema, submitAndNextResultSchema, submitAnnotationSchema, type ClaimedTask, type SubmitResult,
} from '../../modules/queue/index.js';
import { ALL_ROLES, conflictResponse, errorResponses, json, securedRoute } from '../auth.js';
import type { AppEnv } from '../env.js';
import { projectParam } from './projects.js';

const LABELERS = ['annotator', 'reviewer', 'admin'] as const;
const taskParam = z.object({ taskId: z.coerce.number().int().positive().openapi({ param: { name: 'taskId', in: 'path' } }) });
const reviewParam = z.object({ reviewId: z.coerce.number().int().positive().openapi({ param: { name: 'reviewId', in: 'path' } }) });

function idempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (header.length === 0 || header.length > 200) throw new ValidationError('Idempotency-Key must be 1 to 200 characters', [{ field: 'Idempotency-Key', message: 'bad length' }]);
  return header;
}

export function queueRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    securedRoute(LABELERS, {
      method: 'get', path: '/api/v1/projects/{project}/tasks/next', tags: ['annotation'], summary: 'Claim the next task (leased)',
      description: 'The task you already hold, a gold item when one is due, else the best open slot of an item you have not labelled or skipped. 204 when nothing is left for you. The item comes without anybody\'s labels.',
      request: { params: projectParam },
      responses: { 200: json(claimedTaskSchema, 'Your task'), 204: { description: 'Nothing left for you' }, ...errorResponses },
    }),
    async (c) => {
      const task = await c.get('deps').queue.run<ClaimedTask | null>({ op: 'claim', project: c.req.valid('param').project, user: c.get('user') });
      return task ? c.json(task, 200) : c.body(null, 204);
    },
  );

  app.openapi(
    securedRoute(LABELERS, {
      method: 'post', path: '/api/v1/tasks/{taskId}/annotation', tags: ['annotation'], summary: 'Submit (or change) the label of your task',
      description:
        'Send an Idempotency-Key header: a retry with the same key stores nothing new and returns the stored result. A new key on a finished task changes your label (history kept). 409 when your lease expired and another annotator took the item. ' +
        'With `?next=true` the answer also carries `next`, your next task of the same project, claimed in the same transaction (one request per item instead of two; null when nothing is left for you, as the 204 of tasks/next). ' +
        'When the submit fails nothing is claimed. A replay with `?next=true` answers with the task you currently hold, or claims one if you hold none, so a retry never leases you a second task.',
      request: {
        params: taskParam,
        query: z.object({ next: z.enum(['true', 'false']).default('false').openapi({ description: 'Also claim and return your next task (`next`)' }) }),
        headers: z.object({ 'idempotency-key': z.string().optional() }),
        body: { required: true, content: { 'application/json': { schema: submitAnnotationSchema } } },
      },
      responses: { 200: json(submitAndNextResultSchema, 'Stored (or replayed); with `next` when ?next=true'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const next = c.req.valid('query').next === 'true';
      const result = await c.get('deps').queue.run<SubmitResult>({
        op: 'submit', taskId: c.req.valid('param').taskId, user: c.get('user'), input: c.req.valid('json'), idempotencyKey: idempotencyKey(c.req.header('idempotency-key')), next,
      });
      return c.json(result, 200);
    },
  );

  app.openapi(
    securedRoute(LABELERS, {
      method: 'post', path: '/api/v1/tasks/{taskId}/skip', tags: ['annotation'], summary: 'Skip your task (you will not get this item again)',
      request: { params: taskParam, body: { required: false, content: { 'application/json': { schema: skipSchema } } } },
      responses: { 200: json(z.object({ taskId: z.number().int(), skipped: z.literal(true) }), 'Skipped'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const text = await c.req.text();
      let body: unknown = {};
      if (text.trim()) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new ValidationError('the body is not valid JSON');
        }
      }
      const parsed = skipSchema.safeParse(body);
      if (!parsed.success) throw new ValidationError('invalid body: reason must be a string of at most 500 characters', [{ field: 'reason', message: 'invalid' }]);
      const skipped = await c.get('deps').queue.run<{ taskId: number; skipped: true }>({ op: 'skip', taskId: c.req.valid('param').taskId, user: c.get('user'), reason: parsed.data.reason ?? null });
      return c.json(skipped, 200);
    },
  );

  app.openapi(
    securedRoute(ALL_ROLES, {
      method: 'get', path: '/api/v1/projects/{project}/me/progress', tags: ['annotation'], summary: 'Your own progress: done today, queue left, gold accuracy',
      request: { params: projectParam },
      responses: { 200: json(progressSchema, 'Your progress'), ...errorResponses },
    }),
    (c) => c.json(myProgress(c.get('deps'), c.req.valid('param').project, c.get('user')), 200),
  );

  app.openapi(
    securedRoute(['reviewer', 'admin'], {
      method: 'get', path: '/api/v1/projects/{project}/review/next', tags: ['review'], summary: 'Claim the next disputed item',
      request: { params: projectParam },
      responses: { 200: json(claimedReviewSchema, 'A disputed item, annotators anonymised'), 204: { description: 'Nothing to review' }, ...errorResponses },
    }),
    (c) => {
      const review = claimNextReview(c.get('deps'), c.req.valid('param').project, c.get('user'));
      return review ? c.json(review, 200) : c.body(null, 204);
    },
  );

  app.openapi(
    securedRoute(['reviewer', 'admin'], {
      method: 'post', path: '/api/v1/reviews/{reviewId}/resolve', tags: ['review'], summary: 'Resolve a disputed item with the final label',
      request: { params: reviewParam, body: { required: true, content: { 'application/json': { schema: resolveSchema } } } },
      responses: { 200: json(z.object({ reviewId: z.number().int(), label: z.union([z.string(), z.array(z.string())]), resolvedAt: z.string() }), 'Resolved'), ...errorResponses, ...conflictResponse },
    }),
    (c) => c.json(resolveReview(c.get('deps'), c.req.valid('param').reviewId, c.get('user'), c.req.valid('json').label), 200),
  );

  app.openapi(
    securedRoute(['admin', 'viewer'], {
      method: 'get', path: '/api/v1/projects/{project}/queue', tags: ['annotation'], summary: 'Queue status: open, leased, done, by source; reviews',
      request: { params: projectParam },
      responses: { 200: json(queueStatusSchema, 'Queue status'), ...errorResponses },
    }),
    (c) => c.json(queueStatus(c.get('deps'), c.req.valid('param').project), 200),
  );

  app.openapi(
    securedRoute(['admin', 'viewer'], {
      method: 'get', path: '/api/v1/projects/{project}/annotators', tags: ['annotation'], summary: 'Per annotator: work done, median time, gold accuracy, flag',
      request: { params: projectParam },
      responses: { 200: json(z.object({ annotators: z.array(annotatorStatsSchema) }), 'Annotators'), ...errorResponses },
    }),
    (c) => c.json({ annotators: annotatorStats(c.get('deps'), c.req.valid('param').project) }, 200),
  );

  app.openapi(
    securedRoute(['admin'], {
      method: 'patch', path: '/api/v1/projects/{project}/settings', tags: ['projects'], summary: 'Change project settings (overlap, leases, gold, …)',
      request: { params: projectParam, body: { required: true, content: { 'application/json': { schema: projectSettingsPatchSchema } } } },
      responses: { 200: json(projectSchema, 'Updated'), ...errorResponses },
    }),
    (c) => c.json(updateSettings(c.get('deps'), c.req.valid('param').project, c.req.valid('json')), 200),
  );
}
