import { createRoute, type RouteConfig, type z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { ForbiddenError } from '../core/errors.js';
import { ROLES, type Role } from '../core/labels.js';
import { authenticate } from '../modules/users/index.js';
import type { AppEnv } from './env.js';
import { problemSchema } from './problem.js';
import { requestToken } from './session.js';

export const ALL_ROLES: readonly Role[] = ROLES;
/** Who may read a project's models, evaluations, batches and dashboards. */
export const READERS: readonly Role[] = ['admin', 'viewer', 'reviewer'];

/** A JSON response entry of a route's `responses`. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

/** Authenticates the bearer token and checks the route's declared roles. */
export function requireRoles(roles: readonly Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const deps = c.get('deps');
    const user = authenticate(deps, requestToken(c));
    if (!roles.includes(user.role)) {
      throw new ForbiddenError(`this operation needs the role ${roles.join(' or ')}; your token has the role ${user.role}`);
    }
    c.set('user', user);
    await next();
  };
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

export const errorResponses = {
  400: problem('Invalid input; `errors` names each field'),
  401: problem('Missing, invalid or revoked token'),
  403: problem("The token's role may not do this"),
  404: problem('Not found'),
} as const;

export const conflictResponse = { 409: problem('Conflicts with the current state') } as const;

/**
 * A route that requires a bearer token with one of `roles`. The roles are
 * declared once: the middleware enforces them and the OpenAPI document lists
 * them as `x-roles`, which the auth test walks.
 */
export function securedRoute<const R extends Omit<RouteConfig, 'middleware' | 'security'>>(roles: readonly Role[], config: R) {
  return createRoute({
    ...config,
    security: [{ bearerAuth: [] }],
    'x-roles': [...roles],
    middleware: requireRoles(roles),
  });
}

export function publicRoute<const R extends Omit<RouteConfig, 'middleware' | 'security'>>(config: R) {
  return createRoute({ ...config, security: [], 'x-roles': ['public'] });
}
