import type { OpenAPIHono } from '@hono/zod-openapi';
import { dashboardSchema, projectDashboard } from '../../modules/evaluation/index.js';
import { errorResponses, READERS, securedRoute } from '../auth.js';
import type { AppEnv } from '../env.js';
import { projectParam } from './projects.js';

export function dashboardRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    securedRoute(READERS, {
      method: 'get', path: '/api/v1/projects/{project}/dashboard', tags: ['evaluation'], summary: "Everything the project page's charts show, in one object",
      description: 'Completion, labels per day (60 days), annotators, the learning curve with 95% intervals, versions with their promotion decisions, the confusion matrix and calibration bins of the champion (or the newest evaluated version before any promotion), and the stopping signal.',
      request: { params: projectParam },
      responses: { 200: { description: 'The dashboard', content: { 'application/json': { schema: dashboardSchema } } }, ...errorResponses },
    }),
    (c) => c.json(projectDashboard(c.get('deps'), c.req.valid('param').project), 200),
  );
}
