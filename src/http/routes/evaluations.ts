import { OpenAPIHono, z } from '@hono/zod-openapi';
import {
  compareVersions,
  comparisonSchema,
  evaluateVersion,
  evaluationSchema,
  evaluationsQuerySchema,
  listEvaluations,
  requestRetrain,
  retrainSchema,
  stoppingSignal,
  stoppingSignalSchema,
} from '../../modules/evaluation/index.js';
import { jobSchema } from '../../modules/jobs/index.js';
import { resolveProject } from '../../modules/projects/index.js';
import { errorResponses, json, READERS, securedRoute } from '../auth.js';
import type { AppEnv } from '../env.js';
import { projectParam } from './projects.js';


export function evaluationRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    securedRoute(READERS, {
      method: 'get', path: '/api/v1/projects/{project}/evaluations', tags: ['evaluation'], summary: "Each version's latest evaluation on the eval split, or a comparison of two versions",
      description: 'With `compare=A,B`: both versions predict the same current eval items; McNemar exact test and paired bootstrap 95% intervals of B − A.',
      request: { params: projectParam, query: evaluationsQuerySchema },
      responses: { 200: json(z.union([z.object({ evaluations: z.array(evaluationSchema) }), z.object({ comparison: comparisonSchema })]), 'Evaluations or a comparison'), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { project } = c.req.valid('param');
      const { compare } = c.req.valid('query');
      if (compare) {
        const [a, b] = compare.split(',').map(Number) as [number, number];
        return c.json({ comparison: await compareVersions(deps, project, a, b) }, 200);
      }
      return c.json({ evaluations: listEvaluations(deps, project) }, 200);
    },
  );

  app.openapi(
    securedRoute(['admin'], {
      method: 'post', path: '/api/v1/projects/{project}/evaluations', tags: ['evaluation'], summary: 'Evaluate a version (default: the latest) on the current eval labels',
      request: { params: projectParam, body: { required: false, content: { 'application/json': { schema: z.object({ modelVersion: z.number().int().min(1).optional() }) } } } },
      responses: { 201: json(evaluationSchema, 'The evaluation'), ...errorResponses },
    }),
    async (c) => c.json(await evaluateVersion(c.get('deps'), c.req.valid('param').project, c.req.valid('json')?.modelVersion), 201),
  );

  app.openapi(
    securedRoute(READERS, {
      method: 'get', path: '/api/v1/projects/{project}/stopping-signal', tags: ['evaluation'], summary: 'Stabilizing predictions: has labelling stopped paying?',
      request: { params: projectParam },
      responses: { 200: json(stoppingSignalSchema, 'The signal'), ...errorResponses },
    }),
    (c) => c.json(stoppingSignal(c.get('deps'), c.req.valid('param').project), 200),
  );

  app.openapi(
    securedRoute(['admin'], {
      method: 'post', path: '/api/v1/projects/{project}/retrain', tags: ['evaluation'], summary: 'Run the loop now: train, evaluate, compare, maybe promote, re-score, select (as a job)',
      description: 'Coalesces with a retrain already queued or running for the project (then that job is returned).',
      request: { params: projectParam, body: { required: false, content: { 'application/json': { schema: retrainSchema } } } },
      responses: { 202: json(z.object({ job: jobSchema, coalesced: z.boolean() }), 'Retrain queued (or already running)'), ...errorResponses },
    }),
    (c) => {
      const deps = c.get('deps');
      const project = resolveProject(deps, c.req.valid('param').project);
      const r = requestRetrain(deps, project.id, { trigger: 'manual', ...(c.req.valid('json') ?? {}) });
      c.header('location', `/api/v1/jobs/${r.jobId}`);
      return c.json({ job: deps.runner.get(r.jobId), coalesced: r.coalesced }, 202);
    },
  );
}
