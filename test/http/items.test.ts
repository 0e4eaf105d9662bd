import { readdirSync, existsSync } from 'node:fs';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appFor, jsonl, makeProject, makeTestDeps, tableCounts, tokenFor, waitForJob, type TestContext } from '../helpers.js';

let t: TestContext;
let api: ReturnType<typeof appFor>;
let admin: string;
let viewer: string;
beforeEach(() => {
  t = makeTestDeps({ bodyLimitBytes: 64 * 1024 });
  makeProject(t.deps);
  api = appFor(t.deps);
  admin = tokenFor(t.deps, 'admin');
  viewer = tokenFor(t.deps, 'viewer');
});
afterEach(() => t.close());

interface JobBody {
  id: number;
  status: string;
  error: string | null;
  result: Record<string, unknown> | null;
}

async function upload(raw: string, contentType: string, query = '') {
  const res = await api.request('POST', `/api/v1/projects/p1/items${query}`, { token: admin, raw, headers: { 'content-type': contentType } });
  return res;
}

async function uploadAndWait(raw: string, contentType = 'application/x-ndjson', query = '') {
  const res = await upload(raw, contentType, query);
  expect(res.status).toBe(202);
  const job = (await res.json()) as JobBody;
  expect(res.headers.get('location')).toBe(`/api/v1/jobs/${job.id}`);
  await waitForJob(t.deps, job.id);
  return (await (await api.request('GET', `/api/v1/jobs/${job.id}`, { token: viewer })).json()) as JobBody;
}

const items = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `it-${from + i}`, text: `text ${from + i}`, ...(i % 2 ? { label: 'b' } : {}) }));

describe('import over HTTP', () => {
  it('NDJSON, a JSON array and CSV bodies become import jobs; the upload file is removed', async () => {
    const a = await uploadAndWait(jsonl(items(3)));
    expect(a).toMatchObject({ status: 'succeeded', error: null, result: { inserted: 3, annotationsAdded: 1 } });
    const b = await uploadAndWait(JSON.stringify(items(2, 3)), 'application/json', '?split=eval&labelSource=expert');
    expect(b.result).toMatchObject({ inserted: 2 });
    const c = await uploadAndWait('id,text,label\ncsv-1,hello,a\ncsv-2,"quoted, text",\n', 'text/csv');
    expect(c.result).toMatchObject({ inserted: 2, annotationsAdded: 1 });
    expect(existsSync(t.deps.config.tmpDir) ? readdirSync(t.deps.config.tmpDir) : []).toEqual([]);
    const ev = (await (await api.request('GET', '/api/v1/projects/p1/items?split=eval', { token: viewer })).json()) as { items: { id: string; annotations: { annotator: string }[] }[] };
    expect(ev.items.map((i) => i.id)).toEqual(['it-3', 'it-4']);
    expect(ev.items[1]!.annotations[0]!.annotator).toBe('expert');
  });

  it('a bad line fails the job with file, line and field; nothing is stored', async () => {
    const before = tableCounts(t.deps);
    const job = await uploadAndWait(jsonl([...items(2), { id: 'x', text: 't', label: 'zzz' }]));
    expect(job.status).toBe('failed');
    expect(job.error).toBe('body:3: label: unknown label "zzz"; the project\'s labels are "a", "b", "c"');
    expect(tableCounts(t.deps)).toEqual(before);
  });

  it('skip mode reports the rejects in the job result', async () => {
    const job = await uploadAndWait(jsonl([...items(2), '{oops', { id: 'x', text: 't', label: 'zzz' }]), 'application/x-ndjson', '?onError=skip');
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ inserted: 2, rejected: 2 });
    expect((job.result!.rejects as { line: number }[]).map((r) => r.line)).toEqual([3, 4]);
  });

  it('a body over the limit → 413, no job, nothing stored, no file left', async () => {
    const big = jsonl(items(3000));
    expect(big.length).toBeGreaterThan(64 * 1024);
    const res = await upload(big, 'application/x-ndjson');
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
    expect(t.deps.runner.list({ limit: 10 })).toEqual([]);
    expect(tableCounts(t.deps).items).toBe(0);
    expect(existsSync(t.deps.config.tmpDir) ? readdirSync(t.deps.config.tmpDir) : []).toEqual([]);
  });

  it('bad query values and form uploads are refused before anything is stored', async () => {
    const bad = await upload(jsonl(items(1)), 'application/x-ndjson', '?split=nowhere');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('query.split');
    const form = await upload('a=b', 'multipart/form-data; boundary=x');
    expect(form.status).toBe(415);
    expect((await upload(jsonl(items(1)), 'application/x-ndjson').then((r) => r.status))).toBe(202);
    const missing = await api.request('POST', '/api/v1/projects/nope/items', { token: admin, raw: 'x', headers: { 'content-type': 'application/x-ndjson' } });
    expect(missing.status).toBe(404);
  });
});

describe('listing and items', () => {
  it('pages with a cursor and filters by split and labelled state', async () => {
    await uploadAndWait(jsonl(items(25)));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api.request('GET', `/api/v1/projects/p1/items?limit=10${cursor ? `&cursor=${cursor}` : ''}`, { token: viewer });
      const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(items(25).map((i) => i.id));
    const labeled = (await (await api.request('GET', '/api/v1/projects/p1/items?labeled=true&limit=100', { token: viewer })).json()) as { items: unknown[] };
    const unlabeled = (await (await api.request('GET', '/api/v1/projects/p1/items?labeled=false&limit=100', { token: viewer })).json()) as { items: unknown[] };
    expect([labeled.items.length, unlabeled.items.length]).toEqual([12, 13]);
    const badCursor = await api.request('GET', '/api/v1/projects/p1/items?cursor=zzz', { token: viewer });
    expect(badCursor.status).toBe(400);
    const badLimit = await api.request('GET', '/api/v1/projects/p1/items?limit=0', { token: viewer });
    expect(badLimit.status).toBe(400);
  });

  it('shows one item by its (URL-encoded) external id, with features and annotations', async () => {
    await uploadAndWait(jsonl([{ id: 'a/b c?d', features: [0.25, 1.5], meta: { k: 'v' }, label: 'a' }]));
    const res = await api.request('GET', `/api/v1/projects/p1/items/${encodeURIComponent('a/b c?d')}`, { token: viewer });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'a/b c?d', features: [0.25, 1.5], meta: { k: 'v' }, annotations: [{ annotator: 'imported', label: 'a' }] });
    expect((await api.request('GET', '/api/v1/projects/p1/items/nope', { token: viewer })).status).toBe(404);
  });

  it('exports JSONL and CSV as attachments', async () => {
    await uploadAndWait(jsonl(items(3)));
    const res = await api.request('GET', '/api/v1/projects/p1/export', { token: viewer });
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="p1.jsonl"');
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((l) => l.id)).toEqual(['it-0', 'it-1', 'it-2']);
    const csv = await api.request('GET', '/api/v1/projects/p1/export?format=csv', { token: viewer });
    const text = await csv.text();
    expect(text.split('\n')[0]).toBe('id,split,text,features,meta,label,annotations,consensus');
    expect(text.trim().split('\n')).toHaveLength(4);
    expect((await api.request('GET', '/api/v1/projects/p1/export?format=xml', { token: viewer })).status).toBe(400);
  });
});

describe('jobs', () => {
  it('unknown job → 404; cancelling a finished job → 409; listing filters by project', async () => {
    const job = await uploadAndWait(jsonl(items(1)));
    expect((await api.request('GET', '/api/v1/jobs/424242', { token: viewer })).status).toBe(404);
    const cancel = await api.request('POST', `/api/v1/jobs/${job.id}/cancel`, { token: admin });
    expect(cancel.status).toBe(409);
    expect(((await cancel.json()) as { detail: string }).detail).toBe(`job ${job.id} is already succeeded`);
    const list = (await (await api.request('GET', '/api/v1/jobs?projectId=1', { token: viewer })).json()) as { jobs: { id: number }[] };
    expect(list.jobs.map((j) => j.id)).toEqual([job.id]);
  });
});

it('the docs page and its assets are served locally', async () => {
  const page = await api.request('GET', '/api/v1/docs');
  expect(await page.text()).toContain('/api/v1/docs/swagger-ui-bundle.js');
  const js = await api.request('GET', '/api/v1/docs/swagger-ui-bundle.js');
  expect(js.status).toBe(200);
  expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  expect((await api.request('GET', '/api/v1/docs/..%2Fpackage.json')).status).toBe(404);
  const health = (await (await api.request('GET', '/health')).json()) as { status: string };
  expect(health.status).toBe('ok');
});
