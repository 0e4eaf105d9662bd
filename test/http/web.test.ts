import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appFor, importText, jsonl, makeProject, makeTestDeps, tokenFor, type TestContext } from '../helpers.js';

let t: TestContext;
let api: ReturnType<typeof appFor>;
let admin: string;
beforeEach(async () => {
  t = makeTestDeps();
  api = appFor(t.deps);
  admin = tokenFor(t.deps, 'admin');
  makeProject(t.deps, { name: 'p1', labels: ['a', 'b'] });
  await importText(t.deps, 'p1', jsonl([
    { id: '1', text: 'x', annotations: [{ annotator: '<script>window.__xss=1</script>', label: 'a' }, { annotator: 'bob', label: 'a' }] },
    { id: '2', text: 'y', annotations: [{ annotator: '<script>window.__xss=1</script>', label: 'b' }, { annotator: 'bob', label: 'a' }] },
    { id: '3', text: 'z', annotations: [{ annotator: '<script>window.__xss=1</script>', label: 'b' }, { annotator: 'bob', label: 'b' }] },
  ]));
});
afterEach(() => t.close());

const form = (fields: Record<string, string>) => ({ raw: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

async function signIn(token: string, next = '/'): Promise<Response> {
  return api.request('POST', '/signin', form({ token, next }));
}

function cookieOf(res: Response): string {
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

describe('sign-in and sessions', () => {
  it('a valid token sets an HttpOnly, SameSite=Strict cookie and goes back where the user came from', async () => {
    const res = await signIn(admin, '/projects/p1');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/projects/p1');
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^quorum_token=qrm_/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    const me = await api.request('GET', '/api/v1/me', { headers: { cookie: cookieOf(res) } });
    expect(((await me.json()) as { role: string }).role).toBe('admin');
  });

  it('a wrong token shows the form again with a message and sets no cookie', async () => {
    const res = await signIn('qrm_wrong');
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toContain('That token is not valid');
  });

  it('never redirects to another site after sign-in', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
      expect((await signIn(admin, next)).headers.get('location')).toBe('/');
    }
  });

  it('pages send visitors without a session to the sign-in form, and refuse annotators', async () => {
    const anon = await api.request('GET', '/projects/p1');
    expect(anon.status).toBe(303);
    expect(anon.headers.get('location')).toBe('/signin?next=%2Fprojects%2Fp1');
    const annotator = cookieOf(await signIn(tokenFor(t.deps, 'annotator')));
    const res = await api.request('GET', '/projects/p1', { headers: { cookie: annotator } });
    expect(res.status).toBe(403);
  });

  it('sign-out clears the cookie', async () => {
    const res = await api.request('POST', '/signout');
    expect(res.headers.get('set-cookie')).toMatch(/quorum_token=;.*Max-Age=0/);
  });
});

describe('project page', () => {
  it('shows the agreement panel with the pairwise heat map, every name escaped', async () => {
    const cookie = cookieOf(await signIn(admin));
    const home = await (await api.request('GET', '/', { headers: { cookie } })).text();
    expect(home).toContain('href="/projects/p1"');
    const res = await api.request('GET', '/projects/p1', { headers: { cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<svg class="heatmap"');
    expect(html).not.toContain('<script>window.__xss');
    expect(html).toContain('&lt;script&gt;window.__xss=1&lt;/script&gt;');
    // 2 annotators: a 2 × 2 matrix of cells
    expect(html.match(/<svg class="heatmap"[\s\S]*?<\/svg>/)![0].match(/<rect /g)).toHaveLength(4);
    expect(html).toMatch(/krippendorff-alpha/);
    expect(html).toContain('3 items with two or more annotations, 2 annotators');
  });

  it('an unknown project is a clear error page', async () => {
    const cookie = cookieOf(await signIn(admin));
    const res = await api.request('GET', '/projects/nope', { headers: { cookie } });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('project &quot;nope&quot; not found');
  });
});
