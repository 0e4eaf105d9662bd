import { OpenAPIHono, z } from '@hono/zod-openapi';
import { createBatchSchema, createQueryBatch, getQueryBatch, listQueryBatches, queryBatchSchema } from '../../modules/queue/index.js';
import { errorResponses, json, READERS, securedRoute } from '../auth.js';
import type { AppEnv } from '../env.js';
import { projectParam } from './projects.js';

const batchParam = projectParam.extend({ batchId: z.coerce.number().int().min(1).openapi({ param: { name: 'batchId', in: 'path' } }) });

export function batchRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    securedRoute(['admin'], {
      method: 'post', path: '/api/v1/projects/{project}/query-batches', tags: ['queue'], summary: 'Select a query batch with a strategy and queue it',
      description:
        'Candidates: pool items that are neither queued nor labelled enough (eval and gold items never). Uncertainty strategies read the current scoring run; diversity strategies read features (or hashed text). Same state + same seed → same batch. `dryRun` returns the picks without storing or queueing them.',
      request: { params: projectParam, body: { required: true, content: { 'application/json': { schema: createBatchSchema } } } },
      responses: { 201: json(queryBatchSchema, 'The stored batch'), 200: json(queryBatchSchema, 'A dry run'), ...errorResponses },
    }),
    async (c) => {
      const batch = await createQueryBatch(c.get('deps'), c.req.valid('param').project, c.req.valid('json'), c.get('user').id);
      return batch.id === null ? c.json(batch, 200) : c.json(batch, 201);
    },
  );

  app.openapi(
    securedRoute(READERS, {
      method: 'get', path: '/api/v1/projects/{project}/query-batches', tags: ['queue'], summary: 'Query batches, newest first (without their items)',
      request: { params: projectParam },
      responses: { 200: json(z.object({ queryBatches: z.array(queryBatchSchema) }), 'Batches'), ...errorResponses },
    }),
    (c) => c.json({ queryBatches: listQueryBatches(c.get('deps'), c.req.valid('param').project) }, 200),
  );

  app.openapi(
    securedRoute(READERS, {
      method: 'get', path: '/api/v1/projects/{project}/query-batches/{batchId}', tags: ['queue'], summary: 'One query batch with its ranked items',
      request: { params: batchParam },
      responses: { 200: json(queryBatchSchema, 'The batch'), ...errorResponses },
    }),
    (c) => {
      const p = c.req.valid('param');
      return c.json(getQueryBatch(c.get('deps'), p.project, p.batchId), 200);
    },
  );
}
