import { randomBytes } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DomainError, NotFoundError } from '../core/errors.js';
import type { Role } from '../core/labels.js';
import type { ProjectRow } from '../db/schema/projects.js';
import { resolveProject, settingsOf } from '../modules/projects/index.js';
import type { AppEnv } from '../http/env.js';
import { CLIENT_COMMON } from './annotate-client.js';
import { LABEL_SCRIPT } from './annotate-label.js';
import { REVIEW_SCRIPT } from './annotate-review.js';
import { ANNOTATE_STYLE } from './annotate-style.js';
import { errorPage, requirePageRoles } from './auth.js';
import { escapeHtml, page } from './layout.js';

const LABELERS: readonly Role[] = ['annotator', 'reviewer', 'admin'];
const REVIEWERS: readonly Role[] = ['reviewer', 'admin'];
/** Labels past the ninth get no number key (still clickable). */
const KEYED = 9;

type Kind = 'label' | 'review';

/** What the page script needs up front; the item itself is always fetched, never inlined. */
interface PageConfig {
  kind: Kind;
  project: string;
  labels: string[];
  multiLabel: boolean;
  showSuggestions: boolean;
}

/** JSON that is safe inside a <script> element: no "</script>", no "<!--", no U+2028/2029. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Only this page's own (nonce'd) script runs; images may come from any http(s) host; fetches stay on this origin. */
function securityHeaders(c: Context<AppEnv>, nonce: string): void {
  c.header(
    'content-security-policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src http: https:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  );
  c.header('referrer-policy', 'no-referrer');
  c.header('x-content-type-options', 'nosniff');
  c.header('cache-control', 'no-store');
}

function labelButtons(labels: readonly string[]): string {
  return labels
    .map((l, i) => `<button type="button" class="lbl" data-i="${i}" aria-pressed="false">${i < KEYED ? `<kbd>${i + 1}</kbd>` : ''}<span class="name">${escapeHtml(l)}</span></button>`)
    .join('');
}

function keyHint(kind: Kind, multiLabel: boolean, n: number): string {
  const numbers = n > 1 ? `<kbd>1</kbd>–<kbd>${Math.min(n, KEYED)}</kbd>` : '<kbd>1</kbd>';
  return `${numbers} ${multiLabel ? 'toggle' : 'choose'} · <kbd>Enter</kbd> ${kind === 'label' ? 'submit' : 'resolve'} · <kbd>?</kbd> all keys`;
}

function helpOverlay(kind: Kind, multiLabel: boolean, n: number): string {
  const numbers = n > 1 ? `1–${Math.min(n, KEYED)}` : '1';
  const rows: [string, string][] = [
    [numbers, multiLabel ? 'turn a label on or off' : 'choose a label'],
    ['Enter', kind === 'label' ? (multiLabel ? 'submit the chosen labels (none is allowed)' : 'submit the chosen label') : 'resolve with the chosen label'],
    ...(kind === 'label' ? ([['S', 'skip this item'], ['U', 'undo: change your last submitted label'], ['Esc', 'cancel an undo, close this help']] as [string, string][]) : [['Esc', 'close this help'] as [string, string]]),
    ['?', 'show or hide this help'],
  ];
  return `<div id="help" class="overlay" hidden role="dialog" aria-modal="true" aria-labelledby="help-title"><div class="panel">
<h2 id="help-title">Keyboard shortcuts</h2><table>${rows.map(([k, v]) => `<tr><td>${k.split('–').map((x) => `<kbd>${escapeHtml(x)}</kbd>`).join('–')}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
${n > KEYED ? `<p class="muted">Labels after the ${KEYED}th have no key: click them.</p>` : ''}<p><button type="button" id="help-close" class="ghost">Close</button></p></div></div>`;
}

function body(kind: Kind, p: ProjectRow, cfg: PageConfig, nonce: string): string {
  const title = kind === 'label' ? 'Label' : 'Review';
  const stats =
    kind === 'label'
      ? `<dl class="stats" id="progress"><div><dt>Done today</dt><dd id="p-today">–</dd></div><div><dt>Queue left</dt><dd id="p-left">–</dd></div><div><dt>Gold accuracy</dt><dd id="p-gold">–</dd></div></dl>`
      : `<dl class="stats"><div><dt>Resolved here</dt><dd id="r-count">0</dd></div></dl>`;
  const actions =
    kind === 'label'
      ? `<button type="button" id="submit" class="primary">Submit <kbd>Enter</kbd></button><button type="button" id="skip">Skip <kbd>S</kbd></button><button type="button" id="undo">Undo last <kbd>U</kbd></button>`
      : `<button type="button" id="submit" class="primary">Resolve <kbd>Enter</kbd></button>`;
  const empty =
    kind === 'label'
      ? `<h2>Nothing left to label</h2><p>There are no more items for you in this project right now. Thank you!</p><p class="muted">Press <kbd>U</kbd> to change your last label.</p>`
      : `<h2>Nothing to review</h2><p>There are no disputed items in this project right now.</p>`;
  return `<style>${ANNOTATE_STYLE}</style>
<div id="app" data-kind="${kind}" data-state="loading">
<div class="qa-top"><div><a class="back" href="/">← Projects</a><h1>${title} · <span id="project-name">${escapeHtml(p.name)}</span>${p.multiLabel ? ' <span class="muted">(multi-label)</span>' : ''}</h1></div>
${stats}<button type="button" id="help-btn" class="ghost" aria-controls="help">Keys <kbd>?</kbd></button></div>
<noscript><p class="error">This page needs JavaScript.</p></noscript>
<p id="msg" role="status" aria-live="polite"></p>
<section id="card" class="card" aria-label="Item">
<p id="undo-note" class="note" hidden></p>
<div class="item-head muted"><span>Item <span id="item-id"></span></span></div>
<img id="item-image" class="item-img" alt="Item image" hidden><p id="item-image-note" class="muted" hidden></p>
<div id="item-text" class="item-text">Loading…</div>
<dl id="item-meta" class="meta" hidden></dl>
${kind === 'label' ? '<aside id="model-suggestion" class="suggestion" data-hook="model-suggestion" hidden></aside>' : '<ul id="votes" class="votes" aria-label="Conflicting labels"></ul>'}
</section>
<section id="empty" class="empty" hidden>${empty}<p><a href="/">Back to the projects</a></p></section>
<div id="labels" class="labels" role="group" aria-label="Labels">${labelButtons(p.labels)}</div>
<div id="actions" class="actions">${actions}<span class="hint muted">${keyHint(kind, p.multiLabel, p.labels.length)}</span></div>
</div>
${helpOverlay(kind, p.multiLabel, p.labels.length)}
<script type="application/json" id="cfg">${scriptJson(cfg)}</script>
<script nonce="${nonce}">(function () {${CLIENT_COMMON}${kind === 'label' ? LABEL_SCRIPT : REVIEW_SCRIPT}})();</script>`;
}

function notFoundPage(c: Context<AppEnv>, ref: string, err: NotFoundError): Response {
  return c.html(
    page('Project not found', `<section><h1>Project not found</h1><p class="error">${escapeHtml(err.message)}.</p><p>There is no project called <code>${escapeHtml(ref)}</code>. <a href="/">Back to the projects</a></p></section>`, c.get('user')),
    404,
  );
}

function render(c: Context<AppEnv>, kind: Kind): Response {
  const ref = c.req.param('project') ?? '';
  let p: ProjectRow;
  try {
    p = resolveProject(c.get('deps'), ref);
  } catch (err) {
    if (err instanceof NotFoundError) return notFoundPage(c, ref, err);
    if (err instanceof DomainError) return errorPage(c, err);
    throw err;
  }
  const cfg: PageConfig = { kind, project: p.name, labels: p.labels, multiLabel: p.multiLabel, showSuggestions: settingsOf(p.settings).showSuggestions };
  const nonce = randomBytes(16).toString('base64');
  securityHeaders(c, nonce);
  return c.html(page(`${kind === 'label' ? 'Label' : 'Review'} · ${p.name}`, body(kind, p, cfg, nonce), c.get('user')));
}

/** The labeling page (/label/:project) and the review page (/review/:project). */
export function annotationPages(app: OpenAPIHono<AppEnv>): void {
  app.get('/label/:project', requirePageRoles(LABELERS), (c) => render(c, 'label'));
  app.get('/review/:project', requirePageRoles(REVIEWERS), (c) => render(c, 'review'));
}
