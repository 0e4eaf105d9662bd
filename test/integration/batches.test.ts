import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, createUser } from '../../src/modules/users/index.js';
import { claimNextTask, createQueryBatch, getQueryBatch, listQueryBatches } from '../../src/modules/queue/index.js';
import { currentPrediction, scoreNow } from '../../src/modules/scoring/index.js';
import { resolveProject } from '../../src/modules/projects/index.js';
import { trainNow } from '../../src/modules/training/index.js';
import { importText, jsonl, makeProject, makeTestDeps, type TestContext } from '../helpers.js';

interface Row { id: string; features: number[]; label: string }
const rows = gunzipSync(readFileSync(new URL('../fixtures/datasets/digits.jsonl.gz', import.meta.url))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

let t: TestContext;
beforeAll(async () => {
  t = makeTestDeps();
  makeProject(t.deps, { name: 'digits', labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
  // 150 labelled pool items, 1,000 unlabelled, 200 eval (labelled, never candidates).
  await importText(t.deps, 'digits', jsonl(rows.slice(0, 150)));
  await importText(t.deps, 'digits', jsonl(rows.slice(150, 1150).map(({ label: _l, ...r }) => r)));
  await importText(t.deps, 'digits', jsonl(rows.slice(1150, 1350).map(({ label: _l, ...r }) => r)), { split: 'eval' });
});
afterAll(() => t.close());

const uncertainty = (p: Record<string, number>) => {
  const [a, b] = Object.values(p).sort((x, y) => y - x);
  return 1 - (a! - b!);
};

describe('query batches', () => {
  it('needs predictions for an uncertainty strategy, and says how to get them', async () => {
    await expect(createQueryBatch(t.deps, 'digits', { strategy: 'margin', size: 10 })).rejects.toThrow(/needs predictions: score the pool first/);
  });

  it('cold start without a model: kmeans-centroids over the features, reproducible', async () => {
    const a = await createQueryBatch(t.deps, 'digits', { strategy: 'kmeans-centroids', size: 20, seed: 5, exploration: 0, dryRun: true });
    const b = await createQueryBatch(t.deps, 'digits', { strategy: 'kmeans-centroids', size: 20, seed: 5, exploration: 0, dryRun: true });
    expect(a.id).toBeNull();
    expect(a.items.map((i) => i.id)).toEqual(b.items.map((i) => i.id));
    expect(a.items).toHaveLength(20);
    expect(a.params.candidates).toBe(1000);
  });

  it('margin: the most uncertain candidates, 10% exploration, stored, queued ahead of cold start, reproducible', async () => {
    await trainNow(t.deps, 'digits', { kind: 'softmax', seed: 1, standardize: true });
    await scoreNow(t.deps, 'digits', {});
    const preview = await createQueryBatch(t.deps, 'digits', { strategy: 'margin', size: 50, seed: 11, dryRun: true });
    const again = await createQueryBatch(t.deps, 'digits', { strategy: 'margin', size: 50, seed: 11, dryRun: true });
    expect(again.items).toEqual(preview.items);
    const stored = await createQueryBatch(t.deps, 'digits', { strategy: 'margin', size: 50, seed: 11 });
    expect(stored.items).toEqual(preview.items);
    expect(stored.id).toBeGreaterThan(0);
    expect(stored.modelVersion).toBe(1);
    expect(stored.picked).toBe(50);
    expect(stored.items.filter((i) => i.explore)).toHaveLength(5);
    expect(stored.queued).toBe(50);

    // Picks are unlabelled pool items, never eval or labelled ones.
    const picked = new Set(stored.items.map((i) => i.id));
    const labelled = new Set(rows.slice(0, 150).map((r) => r.id));
    const evalIds = new Set(rows.slice(1150, 1350).map((r) => r.id));
    for (const id of picked) expect(labelled.has(id) || evalIds.has(id)).toBe(false);

    // The 45 strategy picks are exactly the 45 most uncertain candidates by margin.
    const project = resolveProject(t.deps, 'digits');
    const idOf = t.deps.db.$client.prepare('SELECT id FROM items WHERE external_id = ?').pluck(true);
    const scored = rows.slice(150, 1150).map((r) => ({ id: r.id, u: uncertainty(currentPrediction(t.deps, project, idOf.get(r.id) as number)!.probabilities) }));
    scored.sort((x, y) => y.u - x.u);
    const strategyPicks = stored.items.filter((i) => !i.explore);
    expect(new Set(strategyPicks.map((i) => i.id))).toEqual(new Set(scored.slice(0, 45).map((s) => s.id)));
    for (let r = 1; r < strategyPicks.length; r++) expect(strategyPicks[r]!.score).toBeLessThanOrEqual(strategyPicks[r - 1]!.score);

    // An annotator gets the batch first, best rank first.
    const user = authenticate(t.deps, createUser(t.deps, { name: 'ann', role: 'annotator' }).token);
    const first = claimNextTask(t.deps, 'digits', user)!;
    expect(first.source).toBe('batch');
    expect(first.item.id).toBe(stored.items[0]!.id);

    // A second batch never re-picks what is queued.
    const next = await createQueryBatch(t.deps, 'digits', { strategy: 'entropy', size: 30, seed: 1 });
    expect(next.items.some((i) => picked.has(i.id))).toBe(false);
    expect(listQueryBatches(t.deps, 'digits').map((b) => b.strategy)).toEqual(['entropy', 'margin']);
    expect(getQueryBatch(t.deps, 'digits', stored.id!).items).toEqual(stored.items);
  });

  it('diversity and refusals: coreset runs on features; committee and multi-label strategies are refused with reasons', async () => {
    const c = await createQueryBatch(t.deps, 'digits', { strategy: 'coreset', size: 10, seed: 2, dryRun: true });
    expect(c.items).toHaveLength(10);
    await expect(createQueryBatch(t.deps, 'digits', { strategy: 'bald', size: 10 })).rejects.toThrow(/needs a committee/);
    await expect(createQueryBatch(t.deps, 'digits', { strategy: 'multilabel-mean-entropy', size: 10 })).rejects.toThrow(/multi-label projects/);
    await expect(createQueryBatch(t.deps, 'digits', { strategy: 'stratified', size: 10 })).rejects.toThrow(/groupBy/);
    await expect(createQueryBatch(t.deps, 'digits', { strategy: 'best-guess', size: 10 })).rejects.toThrow(/strategy/);
  });

  it('a text project: coreset over hashed text', async () => {
    makeProject(t.deps, { name: 'txt', labels: ['a', 'b'] });
    await importText(t.deps, 'txt', jsonl(Array.from({ length: 40 }, (_, i) => ({ id: `t${i}`, text: i % 2 ? `cheap pills offer ${i}` : `meeting agenda notes ${i}` }))));
    const b = await createQueryBatch(t.deps, 'txt', { strategy: 'coreset', size: 4, seed: 1, exploration: 0 });
    expect(b.items).toHaveLength(4);
    expect(b.queued).toBe(4);
  });
});
