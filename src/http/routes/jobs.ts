import { OpenAPIHono, z } from '@hono/zod-openapi';
import { jobSchema, listJobsQuerySchema } from '../../modules/jobs/index.js';
import { conflictResponse, errorResponses, securedRoute } from '../auth.js';
import type { AppEnv } from '../env.js';

const jobParam = z.object({ id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' } }) });

export function jobRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    securedRoute(['admin', 'viewer'], {
      method: 'get', path: '/api/v1/jobs', tags: ['jobs'], summary: 'List jobs, newest first',
      request: { query: listJobsQuerySchema },
      responses: { 200: { description: 'Jobs', content: { 'application/json': { schema: z.object({ jobs: z.array(jobSchema) }) } } }, ...errorResponses },
    }),
    (c) => {
      const q = c.req.valid('query');
      return c.json({ jobs: c.get('deps').runner.list({ ...q }) }, 200);
    },
  );

  app.openapi(
    securedRoute(['admin', 'viewer'], {
      method: 'get', path: '/api/v1/jobs/{id}', tags: ['jobs'], summary: 'Job status, progress, result or error',
      request: { params: jobParam },
      responses: { 200: { description: 'The job', content: { 'application/json': { schema: jobSchema } } }, ...errorResponses },
    }),
    (c) => c.json(c.get('deps').runner.get(c.req.valid('param').id), 200),
  );

  app.openapi(
    securedRoute(['admin'], {
      method: 'post', path: '/api/v1/jobs/{id}/cancel', tags: ['jobs'], summary: 'Cancel a queued or running job',
      request: { params: jobParam },
      responses: { 200: { description: 'Cancellation requested', content: { 'application/json': { schema: jobSchema } } }, ...errorResponses, ...conflictResponse },
    }),
    (c) => c.json(c.get('deps').runner.cancel(c.req.valid('param').id), 200),
  );
}
