import { OpenAPIHono, z } from '@hono/zod-openapi';
import { jobSchema } from '../../modules/jobs/index.js';
import { getModelVersion, listModels, modelVersionSchema, registerModel, registerModelSchema } from '../../modules/models/index.js';
import { getScoringRun, listScoringRuns, scoringRunSchema, startScoring, startScoringSchema } from '../../modules/scoring/index.js';
import { getTrainingRun, listTrainingRuns, startTraining, startTrainingSchema, trainingRunSchema } from '../../modules/training/index.js';
import { conflictResponse, errorResponses, json, READERS, securedRoute } from '../auth.js';
import type { AppEnv } from '../env.js';
import { projectParam } from './projects.js';

const versionParam = projectParam.extend({ version: z.coerce.number().int().min(1).openapi({ param: { name: 'version', in: 'path' } }) });
const runParam = projectParam.extend({ runId: z.coerce.number().int().min(1).openapi({ param: { name: 'runId', in: 'path' } }) });

export function modelRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    securedRoute(READERS, {
      method: 'get', path: '/api/v1/projects/{project}/models', tags: ['models'], summary: 'Model versions, newest first',
      request: { params: projectParam },
      responses: { 200: json(z.object({ models: z.array(modelVersionSchema) }), 'Versions'), ...errorResponses },
    }),
    (c) => c.json({ models: listModels(c.get('deps'), c.req.valid('param').project) }, 200),
  );

  app.openapi(
    securedRoute(['admin'], {
      method: 'post', path: '/api/v1/projects/{project}/models', tags: ['models'], summary: 'Register an ONNX, HTTP or fake model as a new version',
      description: 'softmax and mlp versions are made by training runs, not registered.',
      request: { params: projectParam, body: { required: true, content: { 'application/json': { schema: registerModelSchema } } } },
      responses: { 201: json(modelVersionSchema, 'The new version'), ...errorResponses },
    }),
    async (c) => {
      // Validated by the service, which also explains why softmax/mlp are refused.
      const body: unknown = await c.req.json();
      return c.json(await registerModel(c.get('deps'), c.req.valid('param').project, body), 201);
    },
  );

  app.openapi(
    securedRoute(READERS, {
      method: 'get', path: '/api/v1/projects/{project}/models/{version}', tags: ['models'], summary: 'One model version',
      request: { params: versionParam },
      responses: { 200: json(modelVersionSchema, 'The version'), ...errorResponses },
    }),
    (c) => {
      const p = c.req.valid('param');
      return c.json(getModelVersion(c.get('deps'), p.project, p.version), 200);
    },
  );

  app.openapi(
    securedRoute(['admin'], {
      method: 'post', path: '/api/v1/projects/{project}/training-runs', tags: ['models'], summary: 'Train a built-in model (as a job)',
      description: 'Trains on the current labels of pool items only (eval and gold items are never trained on) and stores a new immutable version.',
      request: { params: projectParam, body: { required: false, content: { 'application/json': { schema: startTrainingSchema } } } },
      responses: { 202: json(z.object({ trainingRun: trainingRunSchema, job: jobSchema }), 'Training queued'), ...errorResponses, ...conflictResponse },
    }),
    (c) => {
      const deps = c.get('deps');
      const run = startTraining(deps, c.req.valid('param').project, c.req.valid('json') ?? {});
      c.header('location', `/api/v1/jobs/${run.jobId}`);
      return c.json({ trainingRun: run, job: deps.runner.get(run.jobId!) }, 202);
    },
  );

  app.openapi(
    securedRoute(READERS, {
      method: 'get', path: '/api/v1/projects/{project}/training-runs', tags: ['models'], summary: 'Training runs, newest first',
      request: { params: projectParam },
      responses: { 200: json(z.object({ trainingRuns: z.array(trainingRunSchema) }), 'Runs'), ...errorResponses },
    }),
    (c) => c.json({ trainingRuns: listTrainingRuns(c.get('deps'), c.req.valid('param').project) }, 200),
  );

  app.openapi(
    securedRoute(READERS, {
      method: 'get', path: '/api/v1/projects/{project}/training-runs/{runId}', tags: ['models'], summary: 'One training run',
      request: { params: runParam },
      responses: { 200: json(trainingRunSchema, 'The run'), ...errorResponses },
    }),
    (c) => {
      const p = c.req.valid('param');
      return c.json(getTrainingRun(c.get('deps'), p.project, p.runId), 200);
    },
  );

  app.openapi(
    securedRoute(['admin'], {
      method: 'post', path: '/api/v1/projects/{project}/scoring-runs', tags: ['models'], summary: 'Score every item with a model version (as a job)',
      description: 'The predictions become current when the run succeeds; a failed or cancelled run leaves the previous ones current.',
      request: { params: projectParam, body: { required: false, content: { 'application/json': { schema: startScoringSchema } } } },
      responses: { 202: json(z.object({ scoringRun: scoringRunSchema, job: jobSchema }), 'Scoring queued'), ...errorResponses, ...conflictResponse },
    }),
    (c) => {
      const deps = c.get('deps');
      const run = startScoring(deps, c.req.valid('param').project, c.req.valid('json') ?? {});
      c.header('location', `/api/v1/jobs/${run.jobId}`);
      return c.json({ scoringRun: run, job: deps.runner.get(run.jobId!) }, 202);
    },
  );

  app.openapi(
    securedRoute(READERS, {
      method: 'get', path: '/api/v1/projects/{project}/scoring-runs', tags: ['models'], summary: 'Scoring runs, newest first',
      request: { params: projectParam },
      responses: { 200: json(z.object({ scoringRuns: z.array(scoringRunSchema) }), 'Runs'), ...errorResponses },
    }),
    (c) => c.json({ scoringRuns: listScoringRuns(c.get('deps'), c.req.valid('param').project) }, 200),
  );

  app.openapi(
    securedRoute(READERS, {
      method: 'get', path: '/api/v1/projects/{project}/scoring-runs/{runId}', tags: ['models'], summary: 'One scoring run',
      request: { params: runParam },
      responses: { 200: json(scoringRunSchema, 'The run'), ...errorResponses },
    }),
    (c) => {
      const p = c.req.valid('param');
      return c.json(getScoringRun(c.get('deps'), p.project, p.runId), 200);
    },
  );
}
