import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildLinearSoftmaxOnnx } from '../fixtures/onnx/build-onnx.js';
import { appFor, importText, jsonl, makeProject, makeTestDeps, tokenFor, waitForJob, type TestContext } from '../helpers.js';

let t: TestContext;
let api: ReturnType<typeof appFor>;
let admin: string;
let viewer: string;
beforeEach(async () => {
  t = makeTestDeps();
  makeProject(t.deps, { labels: ['a', 'b', 'c'] });
  // Two features: x0 large → a, x1 large → b, both small → c.
  const records = Array.from({ length: 60 }, (_, i) => {
    const c = i % 3;
    return { id: `it-${i}`, text: `item ${i} ${'abc'[c]}`, features: [c === 0 ? 3 + (i % 5) / 10 : 0.1, c === 1 ? 3 + (i % 7) / 10 : 0.1], label: 'abc'[c] };
  });
  await importText(t.deps, 'p1', jsonl(records.slice(0, 45)));
  await importText(t.deps, 'p1', jsonl(records.slice(45)), { split: 'eval' });
  api = appFor(t.deps);
  admin = tokenFor(t.deps, 'admin');
  viewer = tokenFor(t.deps, 'viewer');
});
afterEach(() => t.close());

async function body<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function runJob(path: string, payload: unknown): Promise<{ id: number; status: string; error: string | null; result: Record<string, unknown> }> {
  const res = await api.request('POST', path, { token: admin, body: payload });
  expect(res.status).toBe(202);
  const { job } = await body<{ job: { id: number } }>(res);
  expect(res.headers.get('location')).toBe(`/api/v1/jobs/${job.id}`);
  await waitForJob(t.deps, job.id);
  return body(await api.request('GET', `/api/v1/jobs/${job.id}`, { token: admin }));
}

describe('model versions over HTTP', () => {
  it('trains, scores, shows the prediction on the item and in the export', async () => {
    const trained = await runJob('/api/v1/projects/p1/training-runs', { kind: 'softmax', seed: 2 });
    expect(trained.status).toBe('succeeded');
    expect(trained.result).toMatchObject({ modelVersion: 1, labelCount: 45, itemCount: 45, input: 'features' });
    const runs = await body<{ trainingRuns: { status: string; modelVersion: number }[] }>(await api.request('GET', '/api/v1/projects/p1/training-runs', { token: viewer }));
    expect(runs.trainingRuns[0]).toMatchObject({ status: 'succeeded', modelVersion: 1 });

    const scored = await runJob('/api/v1/projects/p1/scoring-runs', {});
    expect(scored.status).toBe('succeeded');
    expect(scored.result).toMatchObject({ items: 60, modelVersion: 1 });
    const item = await body<{ prediction: { modelVersion: number; label: string; probabilities: Record<string, number> } }>(
      await api.request('GET', '/api/v1/projects/p1/items/it-46', { token: viewer }),
    );
    expect(item.prediction.modelVersion).toBe(1);
    expect(item.prediction.label).toBe('b');
    expect(Object.keys(item.prediction.probabilities)).toEqual(['a', 'b', 'c']);
    expect(Object.values(item.prediction.probabilities).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 4);

    const exported = await (await api.request('GET', '/api/v1/projects/p1/export?predictions=true', { token: viewer })).text();
    const lines = exported.trim().split('\n').map((l) => JSON.parse(l) as { split: string; label?: string; annotations: { label: string }[]; prediction: { label: string } });
    expect(lines).toHaveLength(60);
    const evalRows = lines.filter((l) => l.split === 'eval');
    const hits = evalRows.filter((l) => l.prediction.label === l.annotations[0]!.label).length;
    expect(hits / evalRows.length).toBeGreaterThanOrEqual(0.9);
    const plain = await (await api.request('GET', '/api/v1/projects/p1/export', { token: viewer })).text();
    expect(plain).not.toContain('"prediction"');
  });

  it('registers ONNX (base64) and fake models; refuses softmax registration, unknown labels and bad bytes', async () => {
    // softmax(x·W): x0 → a, x1 → b, bias → c.
    const onnx = buildLinearSoftmaxOnnx({ weights: Float32Array.from([4, 0, 0, 0, 4, 0]), bias: Float32Array.from([0, 0, 1]) });
    const res = await api.request('POST', '/api/v1/projects/p1/models', {
      token: admin,
      body: { kind: 'onnx', model: Buffer.from(onnx).toString('base64'), labels: ['a', 'b', 'c'], input: 'features' },
    });
    expect(res.status).toBe(201);
    const v = await body<{ version: number; artifactHash: string; artifactBytes: number }>(res);
    expect(v.version).toBe(1);
    expect(v.artifactBytes).toBe(onnx.length);
    const scored = await runJob('/api/v1/projects/p1/scoring-runs', { modelVersion: 1 });
    expect(scored.status).toBe('succeeded');
    const item = await body<{ prediction: { label: string } }>(await api.request('GET', '/api/v1/projects/p1/items/it-0', { token: viewer }));
    expect(item.prediction.label).toBe('a');

    const fake = await api.request('POST', '/api/v1/projects/p1/models', { token: admin, body: { kind: 'fake', seed: 4 } });
    expect(fake.status).toBe(201);
    expect((await body<{ labels: string[] }>(fake)).labels).toEqual(['a', 'b', 'c']);

    const softmax = await api.request('POST', '/api/v1/projects/p1/models', { token: admin, body: { kind: 'softmax' } });
    expect(softmax.status).toBe(400);
    expect((await body<{ detail: string }>(softmax)).detail).toMatch(/trained by Quorum/);
    const unknown = await api.request('POST', '/api/v1/projects/p1/models', { token: admin, body: { kind: 'fake', labels: ['a', 'zzz'] } });
    expect(unknown.status).toBe(400);
    expect((await body<{ detail: string }>(unknown)).detail).toMatch(/zzz/);
    const garbage = await api.request('POST', '/api/v1/projects/p1/models', { token: admin, body: { kind: 'onnx', model: Buffer.from('not onnx').toString('base64'), labels: ['a', 'b', 'c'] } });
    expect(garbage.status).toBe(400);
    expect((await body<{ detail: string }>(garbage)).detail).toMatch(/onnx model: cannot load/);
    const forbidden = await api.request('POST', '/api/v1/projects/p1/models', { token: viewer, body: { kind: 'fake' } });
    expect(forbidden.status).toBe(403);
    const list = await body<{ models: { version: number }[] }>(await api.request('GET', '/api/v1/projects/p1/models', { token: viewer }));
    expect(list.models.map((m) => m.version)).toEqual([2, 1]);
  });

  it('scores with a remote HTTP model from the main thread; a malformed answer fails the run and keeps nothing', async () => {
    let requests = 0;
    let broken = false;
    const server: Server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        requests++;
        const { items } = JSON.parse(raw) as { items: { id: string; features: number[] }[] };
        const rows = items.map((it) => (it.features[0]! > 1 ? [0.1, 0.8, 0.1] : [0.2, 0.2, 0.6]));
        if (broken) rows[0] = [0.5, 0.5, 0.5];
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ labels: ['c', 'a', 'b'], probabilities: rows }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const reg = await api.request('POST', '/api/v1/projects/p1/models', { token: admin, body: { kind: 'http', url, labels: ['a', 'b', 'c'], batchSize: 16, headers: { authorization: 'Bearer secret' } } });
      expect(reg.status).toBe(201);
      const v = await body<{ config: { headers: Record<string, string> } }>(reg);
      expect(v.config.headers.authorization).toBe('***');
      const ok = await runJob('/api/v1/projects/p1/scoring-runs', {});
      expect(ok.status).toBe('succeeded');
      expect(requests).toBe(4); // 60 items in batches of 16
      // The server's columns are [c, a, b]: x0 > 1 answered [0.1, 0.8, 0.1] means a = 0.8.
      const item = await body<{ prediction: { label: string; probabilities: Record<string, number> } }>(await api.request('GET', '/api/v1/projects/p1/items/it-0', { token: viewer }));
      expect(item.prediction.probabilities).toEqual({ a: 0.8, b: 0.1, c: 0.1 });
      broken = true;
      const bad = await runJob('/api/v1/projects/p1/scoring-runs', {});
      expect(bad.status).toBe('failed');
      expect(bad.error).toMatch(/sums to 1\.5/);
      const runs = await body<{ scoringRuns: { status: string; current: boolean }[] }>(await api.request('GET', '/api/v1/projects/p1/scoring-runs', { token: viewer }));
      expect(runs.scoringRuns.map((r) => [r.status, r.current])).toEqual([['failed', false], ['succeeded', true]]);
    } finally {
      server.close();
    }
  });

  it('a text project: trained on hashed n-grams and scored through the API', async () => {
    makeProject(t.deps, { name: 'mail', labels: ['ham', 'spam'] });
    const words = { ham: ['meeting', 'agenda', 'linux', 'kernel', 'patch', 'review'], spam: ['cheap', 'pills', 'winner', 'offer', 'click', 'free'] };
    const mail = Array.from({ length: 80 }, (_, i) => {
      const label = i % 2 ? 'spam' : 'ham';
      const w = words[label as 'ham' | 'spam'];
      return { id: `m${i}`, text: `${w[i % 6]} ${w[(i + 2) % 6]} ${w[(i + 4) % 6]} note ${i}`, label };
    });
    await importText(t.deps, 'mail', jsonl(mail.slice(0, 60)));
    await importText(t.deps, 'mail', jsonl(mail.slice(60)), { split: 'eval' });
    const trained = await runJob('/api/v1/projects/mail/training-runs', { kind: 'softmax', seed: 1, featurizer: { dimension: 1024 } });
    expect(trained.status).toBe('succeeded');
    expect(trained.result).toMatchObject({ input: 'text', labelCount: 60 });
    const scored = await runJob('/api/v1/projects/mail/scoring-runs', {});
    expect(scored.result).toMatchObject({ items: 80 });
    for (const m of mail.slice(60)) {
      const item = await body<{ prediction: { label: string } }>(await api.request('GET', `/api/v1/projects/mail/items/${m.id}`, { token: viewer }));
      expect(item.prediction.label).toBe(m.label);
    }
  });

  it('scoring without any version is a 404 that says what to do', async () => {
    const res = await api.request('POST', '/api/v1/projects/p1/scoring-runs', { token: admin, body: {} });
    expect(res.status).toBe(404);
    expect((await body<{ detail: string }>(res)).detail).toMatch(/quorum train/);
    const bad = await api.request('POST', '/api/v1/projects/p1/training-runs', { token: admin, body: { kind: 'svm' } });
    expect(bad.status).toBe(400);
  });
});
