import { OpenAPIHono, z } from '@hono/zod-openapi';
import { createUser, createUserSchema, createdUserSchema, listUsers, revokeUser, toUser, userSchema } from '../../modules/users/index.js';
import { ALL_ROLES, conflictResponse, errorResponses, json, securedRoute } from '../auth.js';
import type { AppEnv } from '../env.js';

const userParam = z.object({ user: z.string().openapi({ param: { name: 'user', in: 'path' }, description: 'User name or id' }) });

export function userRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    securedRoute(ALL_ROLES, {
      method: 'get', path: '/api/v1/me', tags: ['users'], summary: 'The user behind the token',
      responses: { 200: json(userSchema, 'You'), ...errorResponses },
    }),
    (c) => c.json(toUser(c.get('user')), 200),
  );

  app.openapi(
    securedRoute(['admin'], {
      method: 'get', path: '/api/v1/users', tags: ['users'], summary: 'List users',
      responses: { 200: json(z.object({ users: z.array(userSchema) }), 'Users'), ...errorResponses },
    }),
    (c) => c.json({ users: listUsers(c.get('deps')) }, 200),
  );

  app.openapi(
    securedRoute(['admin'], {
      method: 'post', path: '/api/v1/users', tags: ['users'], summary: 'Create a user; the token is shown once',
      request: { body: { required: true, content: { 'application/json': { schema: createUserSchema } } } },
      responses: { 201: json(createdUserSchema, 'Created'), ...errorResponses, ...conflictResponse },
    }),
    (c) => c.json(createUser(c.get('deps'), c.req.valid('json')), 201),
  );

  app.openapi(
    securedRoute(['admin'], {
      method: 'post', path: '/api/v1/users/{user}/revoke', tags: ['users'], summary: "Revoke a user's token",
      request: { params: userParam },
      responses: { 200: json(userSchema, 'Revoked'), ...errorResponses },
    }),
    (c) => c.json(revokeUser(c.get('deps'), c.req.valid('param').user), 200),
  );
}
