import type { OpenAPIHono } from '@hono/zod-openapi';
import { DomainError } from '../core/errors.js';
import { computeAgreement } from '../modules/agreement/index.js';
import { projectDashboard } from '../modules/evaluation/index.js';
import { annotatorStats, queueStatus } from '../modules/queue/index.js';
import { getProject, listProjects } from '../modules/projects/index.js';
import { authenticate } from '../modules/users/index.js';
import type { AppEnv } from '../http/env.js';
import { agreementPanel } from './agreement-panel.js';
import { modelPanel } from './model-panel.js';
import { progressPanel } from './progress-panel.js';
import { queuePanel } from './queue-panel.js';
import { errorPage, requirePageRoles } from './auth.js';
import { escapeHtml, page } from './layout.js';
import { endSession, requestToken, startSession } from '../http/session.js';

/** Only local paths: a sign-in link must not send people to another site. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : '/';
}

function signinForm(next: string, error?: string): string {
  return page(
    'Sign in',
    `<section><h1>Sign in</h1>${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/signin"><input type="hidden" name="next" value="${escapeHtml(next)}">
<label>Token <input name="token" type="password" autocomplete="current-password" size="50" required autofocus></label> <button>Sign in</button></form>
<p class="muted">Use the token that <code>quorum user add</code> (or <code>npm start</code> for the demo users) printed.</p></section>`,
  );
}

export function webPages(app: OpenAPIHono<AppEnv>): void {
  app.get('/signin', (c) => {
    const next = safeNext(c.req.query('next'));
    // a sign-in link (the demo prints one): the token goes into the cookie, then out of the address bar
    const token = c.req.query('token');
    if (token) {
      try {
        authenticate(c.get('deps'), token);
        startSession(c, token);
        return c.redirect(next, 303);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        return c.html(signinForm(next, 'That sign-in link is not valid (or its token was revoked).'), 401);
      }
    }
    return c.html(signinForm(next));
  });

  app.post('/signin', async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined);
    try {
      authenticate(c.get('deps'), token);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return c.html(signinForm(next, 'That token is not valid (or it was revoked).'), 401);
    }
    startSession(c, token);
    return c.redirect(next, 303);
  });

  app.post('/signout', (c) => {
    endSession(c);
    return c.redirect('/signin', 303);
  });

  app.get('/', (c) => {
    const deps = c.get('deps');
    let user;
    try {
      user = authenticate(deps, requestToken(c));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return c.html(signinForm('/'));
    }
    const rows = listProjects(deps)
      .map((p) => `<tr><td><a href="/projects/${encodeURIComponent(p.name)}">${escapeHtml(p.name)}</a></td><td class="num">${p.counts.items}</td><td class="num">${p.counts.labeled}</td><td>${escapeHtml(p.labels.slice(0, 8).join(', '))}${p.labels.length > 8 ? ', …' : ''}</td></tr>`)
      .join('');
    return c.html(
      page(
        'Projects',
        `<section><h1>Projects</h1>${rows ? `<table><thead><tr><th>project</th><th>items</th><th>labelled</th><th>labels</th></tr></thead><tbody>${rows}</tbody></table>` : '<p class="muted">No projects yet: <code>quorum project create NAME --labels a,b</code>.</p>'}
<p class="muted">API: <a href="/api/v1/docs">/api/v1/docs</a></p></section>`,
        user,
      ),
    );
  });

  app.get('/projects/:project', requirePageRoles(['admin', 'viewer']), (c) => {
    const deps = c.get('deps');
    try {
      const p = getProject(deps, c.req.param('project'));
      const agreement = computeAgreement(deps, p.id, { resamples: 500, seed: 1 });
      const counts = p.counts;
      const dashboard = projectDashboard(deps, p.id);
      return c.html(
        page(
          p.name,
          `<section><h1>${escapeHtml(p.name)}</h1><p>${escapeHtml(p.description)}</p>
<p>${counts.items} items (pool ${counts.pool}, eval ${counts.eval}, gold ${counts.gold}); ${counts.labeled} labelled, ${counts.annotations} annotations.
Labels: ${escapeHtml(p.labels.join(', '))}${p.multiLabel ? ' (multi-label)' : ''}; scale ${p.scale}.</p>
<p><a href="/label/${encodeURIComponent(p.name)}">Label</a> · <a href="/review/${encodeURIComponent(p.name)}">Review</a></p></section>
${progressPanel(dashboard)}${modelPanel(dashboard)}
${queuePanel(queueStatus(deps, p.id), annotatorStats(deps, p.id), p.settings.goldThreshold)}${agreementPanel(agreement)}`,
          c.get('user'),
        ),
      );
    } catch (err) {
      if (err instanceof DomainError) return errorPage(c, err);
      throw err;
    }
  });
}
