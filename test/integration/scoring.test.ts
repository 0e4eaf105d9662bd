import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeProbabilities, fakeConfigSchema } from '../../src/modules/models/adapters/index.js';
import { listModels, registerModel } from '../../src/modules/models/index.js';
import { currentPrediction, getScoringRun, listScoringRuns, scoreNow } from '../../src/modules/scoring/index.js';
import { insertPromotion } from '../../src/modules/models/models.repo.js';
import { resolveProject } from '../../src/modules/projects/index.js';
import { importText, jsonl, makeProject, makeTestDeps, type TestContext } from '../helpers.js';

let t: TestContext;
beforeEach(() => {
  t = makeTestDeps();
});
afterEach(async () => {
  await t.close();
});

function itemIdOf(externalId: string): number {
  return (t.deps.db.$client.prepare('SELECT id FROM items WHERE external_id = ?').get(externalId) as { id: number }).id;
}

describe('scoring runs', () => {
  it('scores every item with a fake model in worker threads, in the project label order', async () => {
    makeProject(t.deps, { labels: ['a', 'b', 'c'] });
    const records = Array.from({ length: 9000 }, (_, i) => ({ id: `x${i}`, text: `item ${i}` }));
    await importText(t.deps, 'p1', jsonl(records));
    await importText(t.deps, 'p1', jsonl([{ id: 'e1', text: 'eval item' }]), { split: 'eval' });
    // The version's own column order differs from the project's: predictions are stored in project order.
    const v = await registerModel(t.deps, 'p1', { kind: 'fake', seed: 7, labels: ['c', 'a', 'b'] });
    expect(v.version).toBe(1);
    const { run, job } = await scoreNow(t.deps, 'p1', {});
    expect(job.status).toBe('succeeded');
    expect(run.status).toBe('succeeded');
    expect(run.itemCount).toBe(9001);
    expect(run.current).toBe(true);
    const project = resolveProject(t.deps, 'p1');
    const expected = fakeProbabilities(fakeConfigSchema.parse({ kind: 'fake', seed: 7 }), ['c', 'a', 'b'], ['x4321']);
    const p = currentPrediction(t.deps, project, itemIdOf('x4321'))!;
    expect(p.modelVersion).toBe(1);
    expect(p.probabilities.c).toBeCloseTo(expected[0]!, 5);
    expect(p.probabilities.a).toBeCloseTo(expected[1]!, 5);
    expect(p.probabilities.b).toBeCloseTo(expected[2]!, 5);
    const best = Object.entries(p.probabilities).sort((x, y) => y[1] - x[1]);
    expect(p.label).toBe(best[0]![0]);
    expect(p.margin).toBeCloseTo(best[0]![1] - best[1]![1], 5);
    const h = -Object.values(p.probabilities).reduce((s, q) => s + q * Math.log(q), 0);
    expect(p.entropy).toBeCloseTo(h, 4);
    expect(currentPrediction(t.deps, project, itemIdOf('e1'))).not.toBeNull();
    expect(listModels(t.deps, 'p1')).toHaveLength(1);
  });

  it('keeps the predictions of the 3 newest runs and of the current one; older runs are pruned and never current again', async () => {
    makeProject(t.deps, { labels: ['a', 'b'] });
    await importText(t.deps, 'p1', jsonl(Array.from({ length: 50 }, (_, i) => ({ id: `x${i}`, text: 't' }))));
    const stored = (runId: number) => (t.deps.db.$client.prepare('SELECT count(*) AS n FROM predictions WHERE scoring_run_id = ?').get(runId) as { n: number }).n;
    const runs: number[] = [];
    for (let v = 1; v <= 5; v++) {
      await registerModel(t.deps, 'p1', { kind: 'fake', seed: v });
      runs.push((await scoreNow(t.deps, 'p1', {})).run.id);
    }
    const kept = () => listScoringRuns(t.deps, 'p1').filter((r) => r.prunedAt === null).map((r) => r.id).sort((a, b) => a - b);
    expect(kept()).toEqual(runs.slice(2));
    expect(runs.map(stored)).toEqual([0, 0, 50, 50, 50]);
    expect(getScoringRun(t.deps, 'p1', runs[0]!).prunedAt).not.toBeNull();

    // version 2 becomes the champion: its run was pruned, so it is scored again; that run stays while newer ones come
    const project = resolveProject(t.deps, 'p1');
    const versionId = (n: number) => (t.deps.db.$client.prepare('SELECT id FROM model_versions WHERE project_id = ? AND version = ?').get(project.id, n) as { id: number }).id;
    insertPromotion(t.deps.db, { projectId: project.id, challengerVersionId: versionId(2), championVersionId: versionId(5), decision: 'promoted', policy: 'always', details: {}, createdAt: Date.now() });
    const champion = (await scoreNow(t.deps, 'p1', { modelVersion: 2 })).run;
    expect(champion.current).toBe(true);
    for (let v = 6; v <= 9; v++) {
      await registerModel(t.deps, 'p1', { kind: 'fake', seed: v });
      const r = (await scoreNow(t.deps, 'p1', {})).run;
      expect(r.current).toBe(false);
    }
    const after = listScoringRuns(t.deps, 'p1');
    expect(after.find((r) => r.current)!.id).toBe(champion.id);
    expect(stored(champion.id)).toBe(50);
    expect(kept()).toHaveLength(4); // the 3 newest and the champion's
    expect(currentPrediction(t.deps, project, itemIdOf('x7'))!.modelVersion).toBe(2);
  });

  it('a failing run leaves the previous predictions current and keeps none of its own', async () => {
    makeProject(t.deps, { labels: ['a', 'b'] });
    await importText(t.deps, 'p1', jsonl(Array.from({ length: 10_000 }, (_, i) => ({ id: `x${i}`, text: 't' }))));
    await registerModel(t.deps, 'p1', { kind: 'fake', seed: 1 });
    const first = await scoreNow(t.deps, 'p1', {});
    await registerModel(t.deps, 'p1', { kind: 'fake', seed: 2, failOn: 'x9999' });
    const second = await scoreNow(t.deps, 'p1', {});
    expect(second.job.status).toBe('failed');
    expect(second.job.error).toMatch(/fail on item x9999/);
    expect(getScoringRun(t.deps, 'p1', second.run.id).status).toBe('failed');
    const count = (id: number) => (t.deps.db.$client.prepare('SELECT count(*) AS n FROM predictions WHERE scoring_run_id = ?').get(id) as { n: number }).n;
    expect(count(second.run.id)).toBe(0);
    expect(count(first.run.id)).toBe(10_000);
    const project = resolveProject(t.deps, 'p1');
    expect(currentPrediction(t.deps, project, itemIdOf('x5'))!.scoringRunId).toBe(first.run.id);
  });
});
