import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerModel } from '../../src/modules/models/index.js';
import { scoreNow } from '../../src/modules/scoring/index.js';
import { STRATEGY_IDS } from '../../src/modules/strategies/index.js';
import { appFor, importText, jsonl, makeProject, makeTestDeps, tokenFor, type TestContext } from '../helpers.js';

let t: TestContext;
let api: ReturnType<typeof appFor>;
let admin: string;
let viewer: string;
beforeEach(async () => {
  t = makeTestDeps();
  makeProject(t.deps, { labels: ['a', 'b', 'c'] });
  await importText(t.deps, 'p1', jsonl(Array.from({ length: 30 }, (_, i) => ({ id: `it-${i}`, text: `item ${i}` }))));
  await registerModel(t.deps, 'p1', { kind: 'fake', seed: 3 });
  await scoreNow(t.deps, 'p1', {});
  api = appFor(t.deps);
  admin = tokenFor(t.deps, 'admin');
  viewer = tokenFor(t.deps, 'viewer');
});
afterEach(() => t.close());

describe('POST /api/v1/projects/:id/query-batches', () => {
  it('stores a batch (201), lists it, shows its items; a dry run is a 200 with no id', async () => {
    const dry = await api.request('POST', '/api/v1/projects/p1/query-batches', { token: admin, body: { strategy: 'entropy', size: 5, seed: 4, dryRun: true } });
    expect(dry.status).toBe(200);
    const preview = (await dry.json()) as { id: null; items: { id: string }[] };
    expect(preview.id).toBeNull();
    const res = await api.request('POST', '/api/v1/projects/p1/query-batches', { token: admin, body: { strategy: 'entropy', size: 5, seed: 4 } });
    expect(res.status).toBe(201);
    const b = (await res.json()) as { id: number; modelVersion: number; seed: number; items: { id: string }[] };
    expect(b.items).toEqual(preview.items);
    expect(b).toMatchObject({ modelVersion: 1, seed: 4 });
    const list = (await (await api.request('GET', '/api/v1/projects/p1/query-batches', { token: viewer })).json()) as { queryBatches: { id: number }[] };
    expect(list.queryBatches.map((x) => x.id)).toEqual([b.id]);
    const one = (await (await api.request('GET', `/api/v1/projects/p1/query-batches/${b.id}`, { token: viewer })).json()) as { items: unknown[] };
    expect(one.items).toEqual(b.items);
  });

  it('an unknown strategy is a 400 that lists the valid ids; viewers cannot create batches', async () => {
    const res = await api.request('POST', '/api/v1/projects/p1/query-batches', { token: admin, body: { strategy: 'magic', size: 5 } });
    expect(res.status).toBe(400);
    const text = JSON.stringify(await res.json());
    for (const id of STRATEGY_IDS) expect(text).toContain(id);
    const forbidden = await api.request('POST', '/api/v1/projects/p1/query-batches', { token: viewer, body: { strategy: 'margin', size: 5 } });
    expect(forbidden.status).toBe(403);
    const missing = await api.request('GET', '/api/v1/projects/p1/query-batches/99', { token: viewer });
    expect(missing.status).toBe(404);
  });
});
