import { OpenAPIHono } from '@hono/zod-openapi';
import { agreementQuerySchema, agreementReportSchema, computeAgreement, computeConsensus, consensusQuerySchema, consensusReportSchema } from '../../modules/agreement/index.js';
import { errorResponses, READERS, securedRoute } from '../auth.js';
import type { AppEnv } from '../env.js';
import { projectParam } from './projects.js';

export function agreementRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    securedRoute(READERS, {
      method: 'get', path: '/api/v1/projects/{project}/agreement', tags: ['agreement'], summary: 'Inter-annotator agreement with bootstrap intervals',
      description:
        'Over all items with two or more current annotations: percent agreement, Cohen (mean over annotator pairs), Scott, Fleiss (Gwet 2014 for unequal raters), Krippendorff at the chosen level, Gwet AC1, each with a seeded 95% bootstrap interval; per label, per annotator pair and per annotator. Undefined values are null with a reason.',
      request: { params: projectParam, query: agreementQuerySchema },
      responses: { 200: { description: 'The report', content: { 'application/json': { schema: agreementReportSchema } } }, ...errorResponses },
    }),
    (c) => c.json(computeAgreement(c.get('deps'), c.req.valid('param').project, c.req.valid('query')), 200),
  );

  app.openapi(
    securedRoute(READERS, {
      method: 'get', path: '/api/v1/projects/{project}/consensus', tags: ['agreement'], summary: 'Consensus label per annotated item',
      request: { params: projectParam, query: consensusQuerySchema },
      responses: { 200: { description: 'Consensus labels', content: { 'application/json': { schema: consensusReportSchema } } }, ...errorResponses },
    }),
    (c) => c.json(computeConsensus(c.get('deps'), c.req.valid('param').project, c.req.valid('query')), 200),
  );
}
