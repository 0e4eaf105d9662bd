import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError, ValidationError } from './core/errors.js';
import { VERSION } from './core/version.js';
import { describeDetails, zodIssuesToDetails } from './core/validation.js';
import type { Deps } from './deps.js';
import type { AppEnv } from './http/env.js';
import { problemResponse, toProblem } from './http/problem.js';
import { itemRoutes } from './http/routes/items.js';
import { jobRoutes } from './http/routes/jobs.js';
import { projectRoutes } from './http/routes/projects.js';
import { systemRoutes } from './http/routes/system.js';
import { userRoutes } from './http/routes/users.js';
import { agreementRoutes } from './http/routes/agreement.js';
import { modelRoutes } from './http/routes/models.js';
import { batchRoutes } from './http/routes/batches.js';
import { evaluationRoutes } from './http/routes/evaluations.js';
import { dashboardRoutes } from './http/routes/dashboard.js';
import { queueRoutes } from './http/routes/queue.js';
import { importRecordSchema } from './modules/items/index.js';
import { webPages } from './web/pages.js';
import { annotationPages } from './web/annotate.js';

const JSON_BODY_LIMIT = 1024 * 1024;

export { VERSION };

export function createApp(deps: Deps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const details = zodIssuesToDetails(result.error.issues, result.target === 'json' ? '' : result.target);
        throw new ValidationError(`invalid ${result.target === 'json' ? 'body' : result.target}: ${describeDetails(details)}`, details);
      }
    },
  });

  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  // Imports stream their own (much larger) bodies to disk with QUORUM_BODY_LIMIT_MB; every other body is JSON.
  app.use('/api/v1/*', async (c, next) => {
    if (c.req.method === 'POST' && /^\/api\/v1\/projects\/[^/]+\/items$/.test(c.req.path)) return next();
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const limit = Math.min(JSON_BODY_LIMIT, deps.config.bodyLimitBytes);
    const tooLarge = () => new PayloadTooLargeError(`request bodies are limited to ${limit} bytes`);
    // Node's parser never delivers more than a declared Content-Length, so a declared length is checked
    // here; the streaming check is for chunked bodies only. (Touching the raw body on every POST made
    // @hono/node-server build a full Request and cost 25–35% of the CPU of a label submit: BENCHMARKS.md §5.)
    const declared = c.req.header('content-length');
    if (declared !== undefined && /^\d+$/.test(declared)) {
      if (Number(declared) > limit) throw tooLarge();
      return next();
    }
    return bodyLimit({ maxSize: limit, onError: () => { throw tooLarge(); } })(c, next);
  });

  systemRoutes(app, VERSION);
  projectRoutes(app);
  itemRoutes(app);
  jobRoutes(app);
  userRoutes(app);
  agreementRoutes(app);
  queueRoutes(app);
  modelRoutes(app);
  batchRoutes(app);
  evaluationRoutes(app);
  dashboardRoutes(app);

  app.openAPIRegistry.register('ImportRecord', importRecordSchema);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'A token from `quorum user add` or POST /api/v1/users',
  });
  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Quorum API', version: VERSION, description: 'Active-learning annotation orchestrator. Errors are RFC 9457 problem documents with a stable `code`.' },
  });

  webPages(app);
  annotationPages(app);
  app.notFound((c) => problemResponse(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => toProblem(err, c, deps.logger));
  return app;
}
