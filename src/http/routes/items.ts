import { OpenAPIHono, z } from '@hono/zod-openapi';
import { SPLITS } from '../../core/labels.js';
import { UnsupportedMediaTypeError } from '../../core/errors.js';
import { resolveProject } from '../../modules/projects/index.js';
import {
  exportItems,
  exportQuerySchema,
  getItem,
  itemPageSchema,
  itemSchema,
  listItems,
  listItemsQuerySchema,
  type ImportJobParams,
} from '../../modules/items/index.js';
import { jobSchema } from '../../modules/jobs/index.js';
import { conflictResponse, errorResponses, securedRoute } from '../auth.js';
import type { AppEnv } from '../env.js';
import { problemSchema } from '../problem.js';
import { saveBody } from '../upload.js';
import { projectParam } from './projects.js';

const importQuerySchema = z.object({
  split: z.enum(SPLITS).default('pool'),
  labelSource: z.string().min(1).max(128).default('imported').openapi({ description: 'Annotator name for the `label` field' }),
  onError: z.enum(['abort', 'skip']).default('abort'),
  upsert: z.enum(['true', 'false']).default('false'),
  format: z.enum(['jsonl', 'csv']).optional().openapi({ description: 'Default: from Content-Type (text/csv → csv, else JSONL or a JSON array)' }),
});

const itemParam = projectParam.extend({
  itemId: z.string().openapi({ param: { name: 'itemId', in: 'path' }, description: 'External item id (URL-encoded)' }),
});

export function itemRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    securedRoute(['admin'], {
      method: 'post', path: '/api/v1/projects/{project}/items', tags: ['items'], summary: 'Import items (as a job)',
      description:
        'Body: NDJSON (one ImportRecord per line), a JSON array of ImportRecords, or CSV; gzip accepted. The body is stored, then imported by a job: poll `GET /api/v1/jobs/{id}`. With onError=abort (default) one bad line imports nothing; with skip the job result lists the rejected lines.',
      request: {
        params: projectParam,
        query: importQuerySchema,
        body: {
          required: true,
          content: {
            'application/x-ndjson': { schema: z.string().openapi({ format: 'binary' }) },
            'text/csv': { schema: z.string().openapi({ format: 'binary' }) },
          },
        },
      },
      responses: {
        202: { description: 'Import job queued', content: { 'application/json': { schema: jobSchema } } },
        413: { description: 'Body over the limit', content: { 'application/problem+json': { schema: problemSchema } } },
        ...errorResponses,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      const q = c.req.valid('query');
      const project = resolveProject(deps, c.req.valid('param').project);
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      const format = q.format ?? (type === 'text/csv' ? 'csv' : 'jsonl');
      if (type.startsWith('multipart/') || type === 'application/x-www-form-urlencoded') {
        throw new UnsupportedMediaTypeError(`send the file as the raw body (application/x-ndjson, application/json or text/csv), not ${type}`);
      }
      const saved = await saveBody(c.req.raw.body, c.req.header('content-length'), deps.config.tmpDir, deps.config.bodyLimitBytes);
      const params: ImportJobParams = {
        project: project.id, file: saved.path, sourceName: 'body', format, split: q.split, labelSource: q.labelSource,
        onError: q.onError, upsert: q.upsert === 'true', deleteFileAfter: true,
      };
      const job = deps.runner.enqueue('import', project.id, params);
      c.header('location', `/api/v1/jobs/${job.id}`);
      return c.json(job, 202);
    },
  );

  app.openapi(
    securedRoute(['admin', 'viewer'], {
      method: 'get', path: '/api/v1/projects/{project}/items', tags: ['items'], summary: 'List items (cursor-paged)',
      request: { params: projectParam, query: listItemsQuerySchema },
      responses: { 200: { description: 'A page of items', content: { 'application/json': { schema: itemPageSchema } } }, ...errorResponses },
    }),
    (c) => c.json(listItems(c.get('deps'), c.req.valid('param').project, c.req.valid('query')), 200),
  );

  app.openapi(
    securedRoute(['admin', 'viewer'], {
      method: 'get', path: '/api/v1/projects/{project}/items/{itemId}', tags: ['items'], summary: 'Show one item with its annotations',
      request: { params: itemParam },
      responses: { 200: { description: 'The item', content: { 'application/json': { schema: itemSchema } } }, ...errorResponses },
    }),
    (c) => {
      const p = c.req.valid('param');
      return c.json(getItem(c.get('deps'), p.project, p.itemId), 200);
    },
  );

  app.openapi(
    securedRoute(['admin', 'viewer'], {
      method: 'get', path: '/api/v1/projects/{project}/export', tags: ['items'], summary: 'Export items with annotations (streamed)',
      description: 'Every item in the import format, so that the file imports into a new project unchanged.',
      request: { params: projectParam, query: exportQuerySchema },
      responses: {
        200: {
          description: 'JSONL or CSV',
          content: { 'application/x-ndjson': { schema: z.string() }, 'text/csv': { schema: z.string() } },
        },
        ...errorResponses,
      },
    }),
    (c) => {
      const deps = c.get('deps');
      const { format, predictions } = c.req.valid('query');
      const project = resolveProject(deps, c.req.valid('param').project);
      const chunks = exportItems(deps, project.id, format, { predictions: predictions === 'true' });
      const encoder = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        },
        async cancel() {
          await chunks.return(undefined);
        },
      });
      return c.body(stream, 200, {
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="${project.name}.${format}"`,
      });
    },
  );
}
