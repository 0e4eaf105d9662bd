import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import { computeConsensus } from '../../src/modules/agreement/index.js';
import { updateSettings } from '../../src/modules/projects/index.js';
import { annotatorStats, claimNextReview, claimNextTask, myProgress, queueStatus, resolveReview, skipTask, submitAnnotation } from '../../src/modules/queue/index.js';
import { submitAndClaimNext } from '../../src/modules/queue/queue.service.js';
import { createUser } from '../../src/modules/users/index.js';
import { stableRandom } from '../../src/core/random.js';
import type { UserRow } from '../../src/db/schema/users.js';
import { importText, jsonl, makeProject, makeTestDeps, tableCounts, type TestContext } from '../helpers.js';

let t: TestContext;
let now = Date.parse('2026-11-26T12:00:00Z');
const users: Record<string, UserRow> = {};
function user(name: string, role: 'annotator' | 'reviewer' | 'admin' = 'annotator'): UserRow {
  if (!users[name]) {
    createUser(t.deps, { name, role });
    users[name] = t.deps.db.$client.prepare('SELECT id, name, role, token_hash AS tokenHash, created_at AS createdAt, revoked_at AS revokedAt, created_by_import_id AS createdByImportId FROM users WHERE name = ?').get(name) as UserRow;
  }
  return users[name]!;
}

beforeEach(async () => {
  now = Date.parse('2026-11-26T12:00:00Z');
  t = makeTestDeps();
  (t.deps as { clock: { now(): number } }).clock = { now: () => now };
  for (const k of Object.keys(users)) delete users[k];
  makeProject(t.deps, { name: 'q', labels: ['a', 'b', 'c'] });
  await importText(t.deps, 'q', jsonl(Array.from({ length: 20 }, (_, i) => ({ id: `i${i}`, text: `<b>item ${i}</b>` }))));
});
afterEach(() => t.close());

const labelAll = (who: string, label = 'a') => {
  const seen: string[] = [];
  for (;;) {
    const task = claimNextTask(t.deps, 'q', user(who));
    if (!task) return seen;
    seen.push(task.item.id);
    submitAnnotation(t.deps, task.taskId, user(who), { label }, `k-${task.taskId}`);
  }
};

describe('claiming', () => {
  it('serves a fresh project at once, in a seeded order, each item once with overlap 1', () => {
    const first = claimNextTask(t.deps, 'q', user('ann'))!;
    expect(first.item.text).toMatch(/^<b>item \d+<\/b>$/);
    expect(first.source).toBe('cold-start');
    expect(claimNextTask(t.deps, 'q', user('ann'))!.taskId).toBe(first.taskId); // the task you hold comes back
    submitAnnotation(t.deps, first.taskId, user('ann'), { label: 'a' }, 'k1');
    const rest = labelAll('ann');
    const bob = labelAll('bob');
    expect(new Set([first.item.id, ...rest]).size).toBe(20);
    expect(bob).toEqual([]);
    expect(claimNextTask(t.deps, 'q', user('cy'))).toBeNull();
  });

  it('overlap 3 on an agreement sample: never more annotators than slots, never one annotator twice', async () => {
    updateSettings(t.deps, 'q', { overlap: 1, agreementSample: 0.3, agreementOverlap: 3 });
    const byAnnotator = Object.fromEntries(['p', 'q', 'r', 's'].map((n) => [n, labelAll(n)]));
    const counts = t.deps.db.$client.prepare(`SELECT i.external_id AS id, count(a.id) AS n FROM items i LEFT JOIN annotations a ON a.item_id = i.id GROUP BY i.id`).all() as { id: string; n: number }[];
    for (const list of Object.values(byAnnotator)) expect(new Set(list).size).toBe(list.length);
    const triple = counts.filter((c) => c.n === 3).length;
    expect(counts.every((c) => c.n === 1 || c.n === 3)).toBe(true);
    expect(triple).toBeGreaterThan(0);
    expect(triple).toBeLessThan(15);
    expect(counts.reduce((s, c) => s + c.n, 0)).toBe(20 + 2 * triple);
  });

  it('an expired lease returns to the queue; the late submit then gets 409 and stores nothing', () => {
    updateSettings(t.deps, 'q', { leaseSeconds: 60 });
    const a = claimNextTask(t.deps, 'q', user('ann'))!;
    now += 61_000;
    const b = claimNextTask(t.deps, 'q', user('bob'))!;
    expect(b.item.id).toBe(a.item.id);
    // the taken-over lease's task is marked expired, the new holder's is leased
    const status = (id: number) => (t.deps.db.$client.prepare('SELECT status, finished_at AS finishedAt FROM tasks WHERE id = ?').get(id) as { status: string; finishedAt: number | null });
    expect(status(a.taskId)).toEqual({ status: 'expired', finishedAt: now });
    expect(status(b.taskId)).toEqual({ status: 'leased', finishedAt: null });
    const before = tableCounts(t.deps);
    expect(() => submitAnnotation(t.deps, a.taskId, user('ann'), { label: 'a' }, 'x')).toThrow(ConflictError);
    expect(() => submitAnnotation(t.deps, a.taskId, user('ann'), { label: 'a' }, 'x')).toThrow(/lease on task \d+ expired and another annotator took the item/);
    expect(tableCounts(t.deps)).toEqual(before);
    expect(submitAnnotation(t.deps, b.taskId, user('bob'), { label: 'b' }, 'y').replayed).toBe(false);
  });

  it('a late submit is accepted when nobody took the slot', () => {
    updateSettings(t.deps, 'q', { leaseSeconds: 60 });
    const a = claimNextTask(t.deps, 'q', user('ann'))!;
    now += 120_000;
    expect(submitAnnotation(t.deps, a.taskId, user('ann'), { label: 'c' }, 'x').label).toBe('c');
  });

  it('skipped items are never served to that annotator again', () => {
    const a = claimNextTask(t.deps, 'q', user('ann'))!;
    skipTask(t.deps, a.taskId, user('ann'), 'unreadable');
    expect(() => skipTask(t.deps, a.taskId, user('ann'), null)).toThrow(/already skipped/);
    const seen = labelAll('ann');
    expect(seen).not.toContain(a.item.id);
    expect(seen).toHaveLength(19);
    expect(labelAll('bob')).toEqual([a.item.id]);
  });

  it('maxPerAnnotator stops an annotator', () => {
    updateSettings(t.deps, 'q', { maxPerAnnotator: 3 });
    expect(labelAll('ann')).toHaveLength(3);
  });
});

describe('submitting', () => {
  it('the same Idempotency-Key replays; a new key changes the label and keeps the history', () => {
    const task = claimNextTask(t.deps, 'q', user('ann'))!;
    const first = submitAnnotation(t.deps, task.taskId, user('ann'), { label: 'a', durationMs: 1200 }, 'key-1');
    const again = submitAnnotation(t.deps, task.taskId, user('ann'), { label: 'a' }, 'key-1');
    expect(again).toEqual({ ...first, replayed: true });
    expect(tableCounts(t.deps).annotations).toBe(1);
    const changed = submitAnnotation(t.deps, task.taskId, user('ann'), { label: 'b' }, 'key-2');
    expect(changed.label).toBe('b');
    const rows = t.deps.db.$client.prepare(`SELECT value, superseded_at IS NOT NULL AS old FROM annotations ORDER BY id`).all();
    expect(rows).toEqual([{ value: '"a"', old: 1 }, { value: '"b"', old: 0 }]);
  });

  it('bad labels, unknown and foreign tasks are refused and store nothing', () => {
    const task = claimNextTask(t.deps, 'q', user('ann'))!;
    user('bob');
    const before = tableCounts(t.deps);
    expect(() => submitAnnotation(t.deps, task.taskId, user('ann'), { label: 'zzz' }, null)).toThrow(ValidationError);
    expect(() => submitAnnotation(t.deps, task.taskId, user('ann'), { label: 'zzz' }, null)).toThrow(/label: unknown label "zzz"/);
    expect(() => submitAnnotation(t.deps, task.taskId, user('ann'), { label: '' }, null)).toThrow(/label: is empty/);
    expect(() => submitAnnotation(t.deps, task.taskId, user('ann'), { label: ['a'] }, null)).toThrow(/one label/);
    expect(() => submitAnnotation(t.deps, 999, user('ann'), { label: 'a' }, null)).toThrow(NotFoundError);
    expect(() => submitAnnotation(t.deps, task.taskId, user('bob'), { label: 'a' }, null)).toThrow(ForbiddenError);
    expect(tableCounts(t.deps)).toEqual(before);
  });
});

describe('gold, review and progress', () => {
  it('gold items are mixed in at goldRate and scored per annotator, who is flagged below the threshold', async () => {
    await importText(t.deps, 'q', jsonl(Array.from({ length: 6 }, (_, i) => ({ id: `g${i}`, text: 'gold', label: 'a' }))), { split: 'gold' });
    updateSettings(t.deps, 'q', { goldRate: 0.25, goldMinAnswers: 2, goldThreshold: 0.6 });
    const sources: string[] = [];
    for (;;) {
      const task = claimNextTask(t.deps, 'q', user('ann'));
      if (!task) break;
      sources.push(task.source);
      submitAnnotation(t.deps, task.taskId, user('ann'), { label: task.source === 'gold' ? 'b' : 'a' }, null);
    }
    expect(sources.filter((s) => s === 'gold')).toHaveLength(6);
    expect(sources.slice(0, 8)).toEqual(['cold-start', 'cold-start', 'cold-start', 'gold', 'cold-start', 'cold-start', 'cold-start', 'gold']);
    const stats = annotatorStats(t.deps, 'q').find((s) => s.annotator === 'ann')!;
    expect(stats.gold).toEqual({ answered: 6, correct: 0, accuracy: 0, flagged: true });
    expect(myProgress(t.deps, 'q', user('ann'))).toMatchObject({ done: 26, gold: { answered: 6, accuracy: 0 } });
  });

  it('disputed items go to review once their overlap is complete; the resolution wins over the vote', () => {
    updateSettings(t.deps, 'q', { overlap: 2 });
    labelAll('ann', 'a');
    labelAll('bob', 'b');
    expect(queueStatus(t.deps, 'q').reviews).toEqual({ open: 20, resolved: 0 });
    expect(claimNextReview(t.deps, 'q', user('ann'))).not.toBeNull(); // the service does not check roles: the route does
    const review = claimNextReview(t.deps, 'q', user('rita', 'reviewer'))!;
    expect(review.labels).toEqual([{ annotator: 'A', label: 'a' }, { annotator: 'B', label: 'b' }]);
    resolveReview(t.deps, review.reviewId, user('rita', 'reviewer'), 'c');
    expect(() => resolveReview(t.deps, review.reviewId, user('rita', 'reviewer'), 'c')).toThrow(/already resolved/);
    const consensus = computeConsensus(t.deps, 'q');
    const item = consensus.items.find((i) => i.id === review.item.id)!;
    expect(item).toMatchObject({ label: 'c', source: 'review', confidence: 1 });
    expect(consensus.summary.unresolved).toBe(19);
  });

  it('queue status counts open, leased and done by source; an annotator sees what is left from the same counts', () => {
    updateSettings(t.deps, 'q', { leaseSeconds: 60 });
    const task = claimNextTask(t.deps, 'q', user('ann'))!;
    const s = queueStatus(t.deps, 'q');
    expect(s).toMatchObject({ leased: 1, done: 0, open: 19, notYetQueued: 0 });
    expect(s.bySource['cold-start']).toEqual({ open: 19, leased: 1, done: 0 });
    expect(myProgress(t.deps, 'q', user('bob')).queueLeft).toBe(19);
    now += 61_000; // the lease ran out: the slot is open again
    expect(queueStatus(t.deps, 'q')).toMatchObject({ leased: 0, open: 20 });
    expect(myProgress(t.deps, 'q', user('bob')).queueLeft).toBe(20);
    submitAnnotation(t.deps, task.taskId, user('ann'), { label: 'a' }, null);
    expect(queueStatus(t.deps, 'q')).toMatchObject({ leased: 0, done: 1, open: 19 });
    expect(myProgress(t.deps, 'q', user('bob')).queueLeft).toBe(19);
  });
});

describe('refilling', () => {
  it('goes past chunks of items that already have their labels', async () => {
    const big = makeProject(t.deps, { name: 'big', labels: ['a', 'b'] });
    // 1,200 items already labelled by the import, and 3 that still need a label whose seeded keys put them last in
    // the cold-start order: the first refill chunks (500 items each) queue items but add no open slot
    await importText(t.deps, 'big', jsonl(Array.from({ length: 1200 }, (_, i) => ({ id: `done${i}`, text: 'x', label: 'a' }))));
    const open: string[] = [];
    for (let k = 0; open.length < 3; k++) if (stableRandom(`open${k}`, big.id) > 0.97) open.push(`open${k}`);
    await importText(t.deps, 'big', jsonl(open.map((id) => ({ id, text: 'y' }))));
    const got: string[] = [];
    for (let task = claimNextTask(t.deps, 'big', user('ann')); task; task = claimNextTask(t.deps, 'big', user('ann'))) {
      got.push(task.item.id);
      submitAnnotation(t.deps, task.taskId, user('ann'), { label: 'b' }, null);
    }
    expect(got.sort()).toEqual([...open].sort());
  });
});

describe('escalation threshold', () => {
  it('with reviewBelowAgreement 0.6, a 2-of-3 majority stands and a three-way split goes to review', () => {
    updateSettings(t.deps, 'q', { overlap: 3, reviewBelowAgreement: 0.6 });
    for (const [who, pick] of [['p', (_i: number) => 'a'], ['q2', (i: number) => (i % 2 ? 'a' : 'b')], ['r', (i: number) => (i % 2 ? 'b' : 'c')]] as const) {
      for (let task = claimNextTask(t.deps, 'q', user(who)); task; task = claimNextTask(t.deps, 'q', user(who))) {
        const i = Number(task.item.id.slice(1));
        submitAnnotation(t.deps, task.taskId, user(who), { label: pick(i) }, null);
      }
    }
    // odd items: a, a, b (share 2/3 ≥ 0.6, no review); even items: a, b, c (share 1/3 < 0.6, review)
    expect(queueStatus(t.deps, 'q').reviews).toEqual({ open: 10, resolved: 0 });
  });
});

describe('submit and claim the next task in one transaction', () => {
  const leasedTasks = (who: string) =>
    (t.deps.db.$client.prepare(`SELECT count(*) AS n FROM tasks WHERE annotator_id = ? AND status = 'leased' AND lease_expires_at > ?`).get(user(who).id, now) as { n: number }).n;

  it('serves what claim + submit would, gold included, and tells the retrain trigger once per stored label', async () => {
    await importText(t.deps, 'q', jsonl(Array.from({ length: 6 }, (_, i) => ({ id: `g${i}`, text: 'gold', label: 'a' }))), { split: 'gold' });
    updateSettings(t.deps, 'q', { goldRate: 0.25 });
    const told: number[] = [];
    (t.deps as { onLabelsAdded?: (p: number) => void }).onLabelsAdded = (p) => told.push(p);
    const sources: string[] = [];
    const items: string[] = [];
    let task = claimNextTask(t.deps, 'q', user('ann'));
    while (task) {
      sources.push(task.source);
      items.push(task.item.id);
      const r = submitAndClaimNext(t.deps, task.taskId, user('ann'), { label: 'a' }, `k-${task.taskId}`);
      expect(r).toMatchObject({ taskId: task.taskId, label: 'a', replayed: false });
      // a replay stores nothing, tells nobody, and hands back the task just claimed
      expect(submitAndClaimNext(t.deps, task.taskId, user('ann'), { label: 'a' }, `k-${task.taskId}`)).toEqual({ ...r, replayed: true });
      expect(leasedTasks('ann')).toBe(r.next ? 1 : 0);
      task = r.next;
    }
    expect(new Set(items).size).toBe(26);
    expect(sources.slice(0, 8)).toEqual(['cold-start', 'cold-start', 'cold-start', 'gold', 'cold-start', 'cold-start', 'cold-start', 'gold']);
    expect(told).toHaveLength(26);
    expect(tableCounts(t.deps).annotations).toBe(26 + 6);
    expect(claimNextTask(t.deps, 'q', user('ann'))).toBeNull();
  });

  it('a failed submit rolls back: nothing stored, nothing claimed, nobody told', () => {
    updateSettings(t.deps, 'q', { leaseSeconds: 60 });
    const told: number[] = [];
    (t.deps as { onLabelsAdded?: (p: number) => void }).onLabelsAdded = (p) => told.push(p);
    const a = claimNextTask(t.deps, 'q', user('ann'))!;
    now += 61_000;
    claimNextTask(t.deps, 'q', user('bob'));
    const before = { ...tableCounts(t.deps), tasks: (t.deps.db.$client.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n };
    expect(() => submitAndClaimNext(t.deps, a.taskId, user('ann'), { label: 'a' }, 'x')).toThrow(ConflictError);
    expect(() => submitAndClaimNext(t.deps, a.taskId, user('ann'), { label: 'zzz' }, 'x')).toThrow(ValidationError);
    expect(() => submitAndClaimNext(t.deps, a.taskId, user('bob'), { label: 'a' }, 'x')).toThrow(ForbiddenError);
    expect({ ...tableCounts(t.deps), tasks: (t.deps.db.$client.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n }).toEqual(before);
    expect(leasedTasks('ann')).toBe(0);
    expect(told).toEqual([]);
  });
});
