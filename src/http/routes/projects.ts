import { OpenAPIHono, z } from '@hono/zod-openapi';
import {
  createProject,
  createProjectSchema,
  deleteProject,
  getProject,
  listProjects,
  projectSchema,
  updateProject,
  updateProjectSchema,
} from '../../modules/projects/index.js';
import { ALL_ROLES, conflictResponse, errorResponses, json, securedRoute } from '../auth.js';
import type { AppEnv } from '../env.js';

export const projectParam = z.object({
  project: z.string().openapi({ param: { name: 'project', in: 'path' }, description: 'Project id or name', example: 'spam-triage' }),
});


export function projectRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    securedRoute(ALL_ROLES, {
      method: 'get', path: '/api/v1/projects', tags: ['projects'], summary: 'List projects',
      responses: { 200: json(z.object({ projects: z.array(projectSchema) }), 'Projects'), ...errorResponses },
    }),
    (c) => c.json({ projects: listProjects(c.get('deps')) }, 200),
  );

  app.openapi(
    securedRoute(['admin'], {
      method: 'post', path: '/api/v1/projects', tags: ['projects'], summary: 'Create a project',
      request: { body: { required: true, content: { 'application/json': { schema: createProjectSchema } } } },
      responses: { 201: json(projectSchema, 'Created'), ...errorResponses, ...conflictResponse },
    }),
    (c) => c.json(createProject(c.get('deps'), c.req.valid('json')), 201),
  );

  app.openapi(
    securedRoute(ALL_ROLES, {
      method: 'get', path: '/api/v1/projects/{project}', tags: ['projects'], summary: 'Show a project',
      request: { params: projectParam },
      responses: { 200: json(projectSchema, 'The project'), ...errorResponses },
    }),
    (c) => c.json(getProject(c.get('deps'), c.req.valid('param').project), 200),
  );

  app.openapi(
    securedRoute(['admin'], {
      method: 'patch', path: '/api/v1/projects/{project}', tags: ['projects'], summary: 'Update a project',
      description: 'Labels may be appended at any time; reordering or removing them is allowed only while the project has no annotations. Settings are merged.',
      request: { params: projectParam, body: { required: true, content: { 'application/json': { schema: updateProjectSchema } } } },
      responses: { 200: json(projectSchema, 'Updated'), ...errorResponses, ...conflictResponse },
    }),
    (c) => c.json(updateProject(c.get('deps'), c.req.valid('param').project, c.req.valid('json')), 200),
  );

  app.openapi(
    securedRoute(['admin'], {
      method: 'delete', path: '/api/v1/projects/{project}', tags: ['projects'], summary: 'Delete a project with its items and annotations',
      request: { params: projectParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses },
    }),
    (c) => {
      deleteProject(c.get('deps'), c.req.valid('param').project);
      return c.body(null, 204);
    },
  );
}
