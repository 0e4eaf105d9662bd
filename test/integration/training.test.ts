import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listModels } from '../../src/modules/models/index.js';
import { currentPrediction, scoreNow } from '../../src/modules/scoring/index.js';
import { resolveProject } from '../../src/modules/projects/index.js';
import { trainNow } from '../../src/modules/training/index.js';
import { importText, jsonl, makeProject, makeTestDeps, type TestContext } from '../helpers.js';

interface Row { id: string; features?: number[]; text?: string; label: string; split?: string }

function gz(path: string): Row[] {
  return gunzipSync(readFileSync(new URL(path, import.meta.url))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
}

/** Accuracy of the current predictions on the eval items, against their known labels. */
function evalAccuracy(t: TestContext, project: string, truth: Map<string, string>): number {
  const p = resolveProject(t.deps, project);
  const rows = t.deps.db.$client.prepare("SELECT id, external_id AS ext FROM items WHERE project_id = ? AND split = 'eval'").all(p.id) as { id: number; ext: string }[];
  let hits = 0;
  for (const r of rows) if (currentPrediction(t.deps, p, r.id)?.label === truth.get(r.ext)) hits++;
  return hits / rows.length;
}

describe('training and scoring built-in models', () => {
  let t: TestContext;
  beforeAll(() => {
    t = makeTestDeps();
  });
  afterAll(async () => {
    await t.close();
  });

  it('an embedding project (digits): softmax trained on the pool only, scored, ≥ 0.93 on the fixed test split', async () => {
    const rows = gz('../fixtures/datasets/digits.jsonl.gz');
    const test = new Set(JSON.parse(readFileSync(new URL('../fixtures/datasets/digits.test_ids.json', import.meta.url), 'utf8')) as string[]);
    makeProject(t.deps, { name: 'digits', labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
    // Eval items carry labels too: training must never see them.
    await importText(t.deps, 'digits', jsonl(rows.filter((r) => !test.has(r.id))));
    await importText(t.deps, 'digits', jsonl(rows.filter((r) => test.has(r.id))), { split: 'eval' });
    const { run, job } = await trainNow(t.deps, 'digits', { kind: 'softmax', seed: 3, standardize: true });
    expect(job.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const [v] = listModels(t.deps, 'digits');
    expect(v!.kind).toBe('softmax');
    expect(v!.input).toBe('features');
    expect(v!.trainingSnapshot).toMatchObject({ labelCount: 1437, itemCount: 1437 });
    expect(v!.artifactHash).toMatch(/^[0-9a-f]{64}$/);
    expect(v!.seed).toBe(3);
    const scored = await scoreNow(t.deps, 'digits', {});
    expect(scored.run.itemCount).toBe(1797);
    const acc = evalAccuracy(t, 'digits', new Map(rows.map((r) => [r.id, r.label])));
    expect(acc).toBeGreaterThanOrEqual(0.93);
    // Same labels, same seed: the same bytes.
    await trainNow(t.deps, 'digits', { kind: 'softmax', seed: 3, standardize: true });
    const [v2, v1] = listModels(t.deps, 'digits');
    expect(v2!.version).toBe(2);
    expect(v2!.artifactHash).toBe(v1!.artifactHash);
  });

  it('a text project (SpamAssassin subset): softmax and mlp on hashed n-grams, ≥ 0.9 on held-out mail', async () => {
    const rows = gz('../../data/datasets/spamassassin.jsonl.gz');
    const pool = rows.filter((r) => r.split !== 'eval').slice(0, 1200);
    const held = rows.filter((r) => r.split === 'eval').slice(0, 300);
    makeProject(t.deps, { name: 'spam', labels: ['ham', 'spam'] });
    await importText(t.deps, 'spam', jsonl(pool.map(({ split: _s, ...r }) => r)));
    await importText(t.deps, 'spam', jsonl(held.map(({ split: _s, ...r }) => r)), { split: 'eval' });
    const truth = new Map(rows.map((r) => [r.id, r.label]));
    for (const kind of ['softmax', 'mlp'] as const) {
      const { run, job } = await trainNow(t.deps, 'spam', { kind, seed: 1, featurizer: { dimension: 2 ** 14 } });
      expect(job.error).toBeNull();
      expect(run.status).toBe('succeeded');
      const [v] = listModels(t.deps, 'spam');
      expect(v!.input).toBe('text');
      expect(v!.kind).toBe(kind);
      await scoreNow(t.deps, 'spam', {});
      expect(evalAccuracy(t, 'spam', truth)).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('refuses to train without labels of two classes, and says so', async () => {
    makeProject(t.deps, { name: 'empty', labels: ['a', 'b'] });
    await importText(t.deps, 'empty', jsonl([{ id: '1', text: 'x', label: 'a' }, { id: '2', text: 'y', label: 'a' }]));
    const { run, job } = await trainNow(t.deps, 'empty', {});
    expect(job.status).toBe('failed');
    expect(run.status).toBe('failed');
    expect(job.error).toMatch(/at least 2 classes/);
    expect(listModels(t.deps, 'empty')).toHaveLength(0);
  });
});
