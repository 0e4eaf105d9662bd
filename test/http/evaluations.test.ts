import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainNow } from '../../src/modules/training/index.js';
import { appFor, importText, jsonl, makeProject, makeTestDeps, tokenFor, waitForJob, type TestContext } from '../helpers.js';

interface Row { id: string; features: number[]; label: string }
const rows = gunzipSync(readFileSync(new URL('../fixtures/datasets/digits.jsonl.gz', import.meta.url))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

let t: TestContext;
let api: ReturnType<typeof appFor>;
let admin: string;
let viewer: string;
beforeAll(async () => {
  t = makeTestDeps();
  makeProject(t.deps, { name: 'digits', labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
  await importText(t.deps, 'digits', jsonl(rows.slice(0, 80)));
  await importText(t.deps, 'digits', jsonl(rows.slice(80, 1400).map(({ label: _l, ...r }) => r)));
  await importText(t.deps, 'digits', jsonl(rows.slice(1400)), { split: 'eval' });
  await trainNow(t.deps, 'digits', { kind: 'softmax', seed: 1, standardize: true });
  await importText(t.deps, 'digits', jsonl(rows.slice(1400 - 400, 1400)), { upsert: true });
  await trainNow(t.deps, 'digits', { kind: 'softmax', seed: 1, standardize: true });
  api = appFor(t.deps);
  admin = tokenFor(t.deps, 'admin');
  viewer = tokenFor(t.deps, 'viewer');
});
afterAll(() => t.close());

interface Bootstrap { a: number; b: number; difference: number; ci: [number, number] }

describe('evaluations over HTTP', () => {
  it('evaluates versions, lists them, and compares two on the same eval items', async () => {
    for (const v of [1, 2]) {
      const res = await api.request('POST', '/api/v1/projects/digits/evaluations', { token: admin, body: { modelVersion: v } });
      expect(res.status).toBe(201);
      const e = (await res.json()) as { modelVersion: number; evalItems: number; trainingLabels: number; metrics: { accuracy: { value: number }; intervals: { accuracy: { ci: [number, number] } } } };
      expect(e).toMatchObject({ modelVersion: v, evalItems: 397, trainingLabels: v === 1 ? 80 : 480 });
      const [lo, hi] = e.metrics.intervals.accuracy.ci;
      expect(lo).toBeLessThanOrEqual(e.metrics.accuracy.value);
      expect(hi).toBeGreaterThanOrEqual(e.metrics.accuracy.value);
    }
    const list = (await (await api.request('GET', '/api/v1/projects/digits/evaluations', { token: viewer })).json()) as { evaluations: { modelVersion: number; metrics: { accuracy: { value: number } } }[] };
    expect(list.evaluations.map((e) => e.modelVersion)).toEqual([1, 2]);
    const res = await api.request('GET', '/api/v1/projects/digits/evaluations?compare=1,2', { token: viewer });
    expect(res.status).toBe(200);
    const { comparison: c } = (await res.json()) as { comparison: { a: number; b: number; evalItems: number; mcnemar: { n: number; b: number; c: number; pValue: number }; accuracy: Bootstrap } };
    expect(c).toMatchObject({ a: 1, b: 2, evalItems: 397 });
    expect(c.accuracy.a).toBeCloseTo(list.evaluations[0]!.metrics.accuracy.value, 10);
    expect(c.accuracy.b).toBeCloseTo(list.evaluations[1]!.metrics.accuracy.value, 10);
    expect(c.accuracy.difference).toBeCloseTo(c.accuracy.b - c.accuracy.a, 10);
    // McNemar's discordant counts explain the accuracy difference exactly: (c − b) / n.
    expect((c.mcnemar.c - c.mcnemar.b) / c.mcnemar.n).toBeCloseTo(c.accuracy.difference, 10);
    // 480 labels beat 80 clearly.
    expect(c.accuracy.ci[0]).toBeGreaterThan(0);
    expect(c.mcnemar.pValue).toBeLessThan(0.001);
    const bad = await api.request('GET', '/api/v1/projects/digits/evaluations?compare=1', { token: viewer });
    expect(bad.status).toBe(400);
    const stop = (await (await api.request('GET', '/api/v1/projects/digits/stopping-signal', { token: viewer })).json()) as { pairs: { from: number; to: number; kappa: number }[]; stop: boolean };
    expect(stop.pairs.map((p) => [p.from, p.to])).toEqual([[1, 2]]);
    expect(stop.stop).toBe(false);
  });

  it('POST /retrain queues one cycle and coalesces a second request onto it', async () => {
    const first = await api.request('POST', '/api/v1/projects/digits/retrain', { token: admin, body: { minNewLabels: 0 } });
    expect(first.status).toBe(202);
    const a = (await first.json()) as { job: { id: number }; coalesced: boolean };
    const second = (await (await api.request('POST', '/api/v1/projects/digits/retrain', { token: admin, body: {} })).json()) as { job: { id: number }; coalesced: boolean };
    expect(a.coalesced).toBe(false);
    expect(second).toMatchObject({ job: { id: a.job.id }, coalesced: true });
    const done = await waitForJob(t.deps, a.job.id);
    expect(done.status).toBe('succeeded');
    expect(done.result).toMatchObject({ status: 'trained', modelVersion: 3, promoted: true });
    const forbidden = await api.request('POST', '/api/v1/projects/digits/retrain', { token: viewer, body: {} });
    expect(forbidden.status).toBe(403);
  });
});
