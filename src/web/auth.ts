import type { Context, MiddlewareHandler } from 'hono';
import { DomainError } from '../core/errors.js';
import type { Role } from '../core/labels.js';
import { authenticate } from '../modules/users/index.js';
import type { AppEnv } from '../http/env.js';
import { escapeHtml, page } from './layout.js';
import { requestToken } from '../http/session.js';

/** Pages send people without a valid session to the sign-in form, and come back after it. */
export function requirePageRoles(roles: readonly Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let user;
    try {
      user = authenticate(c.get('deps'), requestToken(c));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return c.redirect(`/signin?next=${encodeURIComponent(c.req.path)}`, 303);
    }
    if (!roles.includes(user.role)) {
      return c.html(page('Not allowed', `<section><p class="error">This page needs the role ${roles.join(' or ')}; you are signed in as ${escapeHtml(user.name)} (${user.role}).</p></section>`, user), 403);
    }
    c.set('user', user);
    await next();
  };
}

export function errorPage(c: Context<AppEnv>, err: DomainError): Response {
  return c.html(page('Error', `<section><p class="error">${escapeHtml(err.message)}</p><p><a href="/">Back</a></p></section>`, c.get('user')), err.status as 400);
}
