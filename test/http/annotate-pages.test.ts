import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appFor, importText, jsonl, makeProject, makeTestDeps, tokenFor, type TestContext } from '../helpers.js';

let t: TestContext;
let api: ReturnType<typeof appFor>;
let tok: { annotator: string; reviewer: string; admin: string; viewer: string };

const SECRET_TEXT = 'item-text-that-must-be-fetched-7f3a';
const EVIL_LABEL = '<b>x</b>';
const EVIL_DESCRIPTION = '<script>window.__xss=1</script>';

beforeEach(async () => {
  t = makeTestDeps();
  api = appFor(t.deps);
  tok = { annotator: tokenFor(t.deps, 'annotator'), reviewer: tokenFor(t.deps, 'reviewer'), admin: tokenFor(t.deps, 'admin'), viewer: tokenFor(t.deps, 'viewer') };
  makeProject(t.deps, { name: 'p', labels: ['neg', EVIL_LABEL, 'pos"\'&'], description: EVIL_DESCRIPTION });
  await importText(t.deps, 'p', jsonl([{ id: 'i1', text: SECRET_TEXT, meta: { note: 'meta-value-9c1e' } }, { id: 'i2', text: '<script>window.__xss=2</script>' }]));
});
afterEach(() => t.close());

/** Signs in through the form like a browser and returns the session cookie. */
async function session(token: string): Promise<string> {
  const res = await api.request('POST', '/signin', {
    raw: new URLSearchParams({ token, next: '/' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function get(path: string, token?: string): Promise<Response> {
  return api.request('GET', path, token ? { headers: { cookie: await session(token) } } : {});
}

describe('labeling and review pages: access', () => {
  it('send visitors without a session to the sign-in form and back', async () => {
    for (const path of ['/label/p', '/review/p']) {
      const res = await get(path);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/signin?next=${encodeURIComponent(path)}`);
    }
  });

  it('an annotator may label but not review', async () => {
    const label = await get('/label/p', tok.annotator);
    expect(label.status).toBe(200);
    expect(label.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await label.text();
    expect(html).toContain('id="labels"');
    expect(html).toContain('href="/"');
    const review = await get('/review/p', tok.annotator);
    expect(review.status).toBe(403);
    expect(await review.text()).toContain('needs the role reviewer or admin');
  });

  it('a reviewer and an admin get both pages; a viewer gets neither', async () => {
    for (const token of [tok.reviewer, tok.admin]) {
      expect((await get('/label/p', token)).status).toBe(200);
      const review = await get('/review/p', token);
      expect(review.status).toBe(200);
      expect(await review.text()).toContain('id="votes"');
    }
    expect((await get('/label/p', tok.viewer)).status).toBe(403);
    expect((await get('/review/p', tok.viewer)).status).toBe(403);
  });

  it('an unknown project is a clear 404 page', async () => {
    for (const path of ['/label/nope', '/review/nope']) {
      const res = await get(path, tok.admin);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toContain('Project not found');
      expect(html).toContain('project &quot;nope&quot; not found');
      expect(html).toContain('<a href="/">');
    }
  });
});

describe('labeling and review pages: content', () => {
  it('never inline item text or meta: the page fetches the item', async () => {
    for (const path of ['/label/p', '/review/p']) {
      const html = await (await get(path, tok.admin)).text();
      expect(html).not.toContain(SECRET_TEXT);
      expect(html).not.toContain('meta-value-9c1e');
      expect(html).not.toContain('__xss=2');
      expect(html).toContain("'/projects/' + P + '/");
    }
  });

  it('escape the project name and labels they do inline, in the buttons and in the script config', async () => {
    const html = await (await get('/label/p', tok.annotator)).text();
    expect(html).not.toContain(EVIL_LABEL);
    expect(html).not.toContain(EVIL_DESCRIPTION);
    expect(html).toContain('<kbd>2</kbd><span class="name">&lt;b&gt;x&lt;/b&gt;</span>');
    expect(html).toContain('<span class="name">pos&quot;&#39;&amp;</span>');
    const cfg = /<script type="application\/json" id="cfg">([^<]*)<\/script>/.exec(html);
    expect(cfg).not.toBeNull();
    expect(JSON.parse(cfg![1]!)).toEqual({ kind: 'label', project: 'p', labels: ['neg', EVIL_LABEL, 'pos"\'&'], multiLabel: false, showSuggestions: false });
    // exactly two scripts: the JSON config and the nonce'd page script
    expect(html.match(/<script/g)).toHaveLength(2);
  });

  it('label buttons come in project order, numbered 1 to 9, and later labels have no key', async () => {
    const labels = Array.from({ length: 11 }, (_, i) => `L${i}`);
    makeProject(t.deps, { name: 'many', labels });
    const html = await (await get('/label/many', tok.annotator)).text();
    const buttons = [...html.matchAll(/<button type="button" class="lbl" data-i="(\d+)" aria-pressed="false">(?:<kbd>(\d)<\/kbd>)?<span class="name">([^<]*)<\/span>/g)];
    expect(buttons.map((m) => m[3])).toEqual(labels);
    expect(buttons.map((m) => m[2] ?? null)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', null, null]);
  });

  it('only the page\'s own script may run (CSP with a fresh nonce), and the pages are not cached', async () => {
    const a = await get('/label/p', tok.annotator);
    const b = await get('/label/p', tok.annotator);
    const csp = a.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain('img-src http: https:');
    expect(csp).not.toBe(b.headers.get('content-security-policy'));
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(await a.text()).toContain(`<script nonce="${nonce}">`);
    expect(a.headers.get('cache-control')).toBe('no-store');
    expect(a.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('multi-label projects and the suggestion setting reach the page script', async () => {
    makeProject(t.deps, { name: 'm', labels: ['red', 'green', 'blue'], multiLabel: true, settings: { showSuggestions: true } });
    const html = await (await get('/label/m', tok.annotator)).text();
    const cfg = JSON.parse(/<script type="application\/json" id="cfg">([^<]*)<\/script>/.exec(html)![1]!) as Record<string, unknown>;
    expect(cfg).toMatchObject({ multiLabel: true, showSuggestions: true });
    expect(html).toContain('data-hook="model-suggestion"');
    expect(html).toContain('turn a label on or off');
  });

  it('the help overlay lists the keys of each page', async () => {
    const label = await (await get('/label/p', tok.reviewer)).text();
    for (const key of ['<kbd>1</kbd>–<kbd>3</kbd>', '<kbd>Enter</kbd>', '<kbd>S</kbd>', '<kbd>U</kbd>', '<kbd>?</kbd>']) expect(label).toContain(key);
    const review = await (await get('/review/p', tok.reviewer)).text();
    expect(review).toContain('resolve with the chosen label');
    expect(review).not.toContain('skip this item');
  });
});
