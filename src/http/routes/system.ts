import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../env.js';
import { publicRoute } from '../auth.js';

const require = createRequire(import.meta.url);
const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'));
const SWAGGER_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const healthSchema = z
  .object({
    status: z.literal('ok'),
    version: z.string(),
    database: z.string(),
    jobs: z.object({ running: z.number().int() }),
    models: z.object({
      workers: z.number().int(),
      backend: z.string().nullable().openapi({ description: 'TF.js backend of the model workers (tensorflow | wasm | cpu); null until they started' }),
    }),
  })
  .openapi('Health');

export function systemRoutes(app: OpenAPIHono<AppEnv>, version: string): void {
  app.openapi(
    publicRoute({
      method: 'get', path: '/health', tags: ['system'], summary: 'Liveness and basic facts',
      responses: { 200: { description: 'Healthy', content: { 'application/json': { schema: healthSchema } } } },
    }),
    (c) => {
      const deps = c.get('deps');
      const models = { workers: deps.models.threads, backend: deps.models.knownBackend()?.name ?? null };
      return c.json({ status: 'ok' as const, version, database: 'sqlite', jobs: { running: deps.runner.count('running') }, models }, 200);
    },
  );

  // The docs page is served from the installed swagger-ui-dist: it works with no network.
  app.get('/api/v1/docs', (c) =>
    c.html(`<!doctype html><html><head><meta charset="utf-8"><title>Quorum API</title>
<link rel="stylesheet" href="/api/v1/docs/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/api/v1/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#ui' });</script></body></html>`),
  );
  app.get('/api/v1/docs/:asset', async (c) => {
    const asset = c.req.param('asset');
    const type = SWAGGER_ASSETS[asset];
    if (!type) return c.notFound();
    return c.body(await readFile(join(swaggerDir, asset)), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
}
