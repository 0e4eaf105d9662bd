/**
 * The loop through the services on digits: annotators label what the queue gives them,
 * every 60 new labels a retrain trains, evaluates on the eval split, compares with the
 * champion, promotes, re-scores and queues a margin batch. Eval labels never train.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvaluations, stoppingSignal } from '../../src/modules/evaluation/index.js';
import { listModels } from '../../src/modules/models/index.js';
import { updateSettings } from '../../src/modules/projects/index.js';
import { claimNextTask, listQueryBatches, submitAnnotation } from '../../src/modules/queue/index.js';
import { authenticate, createUser } from '../../src/modules/users/index.js';
import { importText, jsonl, makeProject, makeTestDeps, type TestContext } from '../helpers.js';

interface Row { id: string; features: number[]; label: string }
const rows = gunzipSync(readFileSync(new URL('../fixtures/datasets/digits.jsonl.gz', import.meta.url))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
const testIds = new Set(JSON.parse(readFileSync(new URL('../fixtures/datasets/digits.test_ids.json', import.meta.url), 'utf8')) as string[]);

let t: TestContext;
beforeAll(async () => {
  t = makeTestDeps();
  // As the server does: the label trigger is armed.
  t.deps.startLoop();
  makeProject(t.deps, { name: 'digits', labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
  updateSettings(t.deps, 'digits', { retrainEveryNewLabels: 60, loopBatchSize: 60, loopStrategy: 'margin' });
  await importText(t.deps, 'digits', jsonl(rows.filter((r) => !testIds.has(r.id)).map(({ label: _l, ...r }) => r)));
  await importText(t.deps, 'digits', jsonl(rows.filter((r) => testIds.has(r.id))), { split: 'eval' });
});
afterAll(() => t.close());

describe('the retrain loop', () => {
  it('retrains every 60 labels, promotes better versions, re-scores, queues margin batches, never trains on eval', async () => {
    const truth = new Map(rows.map((r) => [r.id, r.label]));
    const annotator = authenticate(t.deps, createUser(t.deps, { name: 'oracle', role: 'annotator' }).token);
    const sources = new Map<string, number>();
    for (let n = 0; n < 300; n++) {
      const task = claimNextTask(t.deps, 'digits', annotator);
      expect(task).not.toBeNull();
      sources.set(task!.source, (sources.get(task!.source) ?? 0) + 1);
      // The cold-start stream also serves eval items; the oracle answers everything truthfully.
      submitAnnotation(t.deps, task!.taskId, annotator, { label: truth.get(task!.item.id)! }, null);
      await t.deps.runner.idle();
    }
    const versions = listModels(t.deps, 'digits').reverse();
    expect(versions.length).toBeGreaterThanOrEqual(3);
    // Every snapshot holds pool labels only: eval labels (imported: 360, plus those the oracle gave) never count.
    for (const v of versions) {
      const snap = v.trainingSnapshot as { labelCount: number; itemCount: number };
      expect(snap.labelCount).toBe(snap.itemCount);
    }
    // The last snapshot's hash is exactly the pool annotations up to its last id, while eval
    // annotations (the 360 imported eval labels) come before it.
    const snap = versions.at(-1)!.trainingSnapshot as { annotationIdsHash: string; lastAnnotationId: number };
    const idsUpTo = (split: string) =>
      t.deps.db.$client.prepare(`SELECT a.id FROM annotations a JOIN items i ON i.id = a.item_id WHERE i.split = ? AND a.id <= ? ORDER BY a.id`).pluck().all(split, snap.lastAnnotationId) as number[];
    expect(createHash('sha256').update(idsUpTo('pool').join(',')).digest('hex')).toBe(snap.annotationIdsHash);
    expect(idsUpTo('eval')).toHaveLength(360);
    expect(sources.get('batch') ?? 0).toBeGreaterThan(0);
    expect(listQueryBatches(t.deps, 'digits').every((b) => b.strategy === 'margin')).toBe(true);

    const evals = listEvaluations(t.deps, 'digits');
    const f1 = evals.map((e) => (e.metrics.macroF1 as { value: number }).value);
    expect(f1.at(-1)!).toBeGreaterThan(f1[0]!);
    const promotions = t.deps.db.$client.prepare("SELECT decision FROM promotions ORDER BY id").pluck().all() as string[];
    expect(promotions[0]).toBe('promoted');
    expect(promotions.filter((d) => d === 'promoted').length).toBeGreaterThanOrEqual(2);
    const signal = stoppingSignal(t.deps, 'digits');
    expect(signal.pairs).toHaveLength(evals.length - 1);
    expect(signal.pairs.every((p) => p.items > 0 && p.kappa !== null)).toBe(true);
  });
});

describe('outside the server', () => {
  it('a one-shot process (the CLI) does not start retrains from labels: quorum retrain is its way', async () => {
    const other = makeTestDeps();
    try {
      makeProject(other.deps, { name: 'cli', labels: ['0', '1'] });
      updateSettings(other.deps, 'cli', { retrainEveryNewLabels: 1 });
      await importText(other.deps, 'cli', jsonl([{ id: 'a', features: [1, 0], label: '0' }, { id: 'b', features: [0, 1], label: '1' }]));
      other.deps.onLabelsAdded(1);
      expect(other.deps.runner.activeJob('retrain', 1)).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});
