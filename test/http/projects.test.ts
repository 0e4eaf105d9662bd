import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appFor, importText, jsonl, makeTestDeps, tokenFor, type TestContext } from '../helpers.js';

let t: TestContext;
let api: ReturnType<typeof appFor>;
let admin: string;
let viewer: string;
beforeEach(() => {
  t = makeTestDeps();
  api = appFor(t.deps);
  admin = tokenFor(t.deps, 'admin');
  viewer = tokenFor(t.deps, 'viewer');
});
afterEach(() => t.close());

const create = (body: unknown) => api.request('POST', '/api/v1/projects', { token: admin, body });

describe('projects', () => {
  it('creates, shows by id or name, lists, updates and deletes', async () => {
    const res = await create({ name: 'news', labels: ['world', 'sports', 'tech'], scale: 'ordinal', description: 'd' });
    expect(res.status).toBe(201);
    const p = (await res.json()) as { id: number; name: string; labels: string[]; multiLabel: boolean; scale: string; counts: { items: number } };
    expect(p).toMatchObject({ name: 'news', labels: ['world', 'sports', 'tech'], multiLabel: false, scale: 'ordinal', counts: { items: 0 } });

    for (const ref of [String(p.id), 'news']) {
      const show = await api.request('GET', `/api/v1/projects/${ref}`, { token: viewer });
      expect(show.status).toBe(200);
      expect(((await show.json()) as { id: number }).id).toBe(p.id);
    }
    const list = (await (await api.request('GET', '/api/v1/projects', { token: viewer })).json()) as { projects: { name: string }[] };
    expect(list.projects.map((x) => x.name)).toEqual(['news']);

    const patched = await api.request('PATCH', '/api/v1/projects/news', { token: admin, body: { name: 'news2', labels: ['world', 'sports', 'tech', 'science'], settings: { overlap: 2 } } });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ name: 'news2', labels: ['world', 'sports', 'tech', 'science'], settings: { overlap: 2 } });

    expect((await api.request('DELETE', '/api/v1/projects/news2', { token: admin })).status).toBe(204);
    expect((await api.request('GET', '/api/v1/projects/news2', { token: admin })).status).toBe(404);
  });

  it('validates the label set and names the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: 'x', labels: ['a'] }, /labels: a project needs at least 2 labels/],
      [{ name: 'x', labels: ['a', 'a'] }, /labels\[1\]: duplicate label "a"/],
      [{ name: 'x', labels: ['a', ' b'] }, /labels\[1\]: .*white space/],
      [{ name: 'x', labels: Array.from({ length: 1001 }, (_, i) => `l${i}`) }, /at most 1,000 labels/],
      [{ name: '123', labels: ['a', 'b'] }, /name: .*all digits/],
      [{ name: 'has space', labels: ['a', 'b'] }, /name: /],
      [{ name: 'x', labels: ['a', 'b'], multiLabel: true, scale: 'ordinal' }, /scale: a multi-label project has a nominal scale/],
      [{ name: 'x', labels: ['a', 'b'], scale: 'loud' }, /scale/],
      [{ name: 'x', labels: ['a', 'b'], extra: 1 }, /extra|Unrecognized/i],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const problem = (await res.json()) as { code: string; detail: string; errors: { field?: string }[] };
      expect(problem.code).toBe('validation_failed');
      expect(problem.detail).toMatch(message);
      expect(problem.errors.length).toBeGreaterThan(0);
    }
    const malformed = await api.request('POST', '/api/v1/projects', { token: admin, raw: '{"name": ', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()) as object).toMatchObject({ code: 'malformed_body', detail: 'Malformed JSON in request body' });
    const list = (await (await api.request('GET', '/api/v1/projects', { token: admin })).json()) as { projects: unknown[] };
    expect(list.projects).toEqual([]);
  });

  it('1,000 labels are accepted; the limit is inclusive', async () => {
    const res = await create({ name: 'big', labels: Array.from({ length: 1000 }, (_, i) => `l${i}`) });
    expect(res.status).toBe(201);
  });

  it('a duplicate name is a conflict', async () => {
    expect((await create({ name: 'news', labels: ['a', 'b'] })).status).toBe(201);
    const res = await create({ name: 'news', labels: ['a', 'b'] });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'conflict', detail: 'a project named "news" already exists' });
  });

  it('labels can be reordered only while no annotation exists; appending is always allowed', async () => {
    await create({ name: 'news', labels: ['a', 'b'] });
    expect((await api.request('PATCH', '/api/v1/projects/news', { token: admin, body: { labels: ['b', 'a'] } })).status).toBe(200);
    await importText(t.deps, 'news', jsonl([{ id: 'x', text: 't', label: 'a' }]));
    const reorder = await api.request('PATCH', '/api/v1/projects/news', { token: admin, body: { labels: ['a', 'b'] } });
    expect(reorder.status).toBe(409);
    expect(((await reorder.json()) as { detail: string }).detail).toMatch(/only be appended/);
    const append = await api.request('PATCH', '/api/v1/projects/news', { token: admin, body: { labels: ['b', 'a', 'c'] } });
    expect(append.status).toBe(200);
  });

  it('counts items per split and labelled items', async () => {
    await create({ name: 'news', labels: ['a', 'b'] });
    await importText(t.deps, 'news', jsonl([{ id: '1', text: 'x', label: 'a' }, { id: '2', text: 'y' }]));
    await importText(t.deps, 'news', jsonl([{ id: '3', text: 'z', label: 'b' }]), { split: 'eval' });
    const p = (await (await api.request('GET', '/api/v1/projects/news', { token: admin })).json()) as { counts: object };
    expect(p.counts).toEqual({ items: 3, pool: 2, eval: 1, gold: 0, labeled: 2, annotations: 2 });
  });

  it('an oversized JSON body is refused with 413 and nothing is stored', async () => {
    const res = await create({ name: 'huge', labels: ['a', 'b'], description: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
    expect((await api.request('GET', '/api/v1/projects/huge', { token: admin })).status).toBe(404);
  });

  it('a declared Content-Length over the limit is refused before the body is read', async () => {
    const body = JSON.stringify({ name: 'declared', labels: ['a', 'b'], description: 'x'.repeat(2 * 1024 * 1024) });
    const res = await api.request('POST', '/api/v1/projects', { token: admin, raw: body, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } });
    expect(res.status).toBe(413);
    expect((await api.request('GET', '/api/v1/projects/declared', { token: admin })).status).toBe(404);
    const small = JSON.stringify({ name: 'small', labels: ['a', 'b'] });
    const ok = await api.request('POST', '/api/v1/projects', { token: admin, raw: small, headers: { 'content-type': 'application/json', 'content-length': String(small.length) } });
    expect(ok.status).toBe(201);
  });
});
