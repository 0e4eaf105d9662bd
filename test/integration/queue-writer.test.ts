import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/core/errors.js';
import { commitTogether } from '../../src/db/group-commit.js';
import { resolveProject } from '../../src/modules/projects/index.js';
import { refillQueue } from '../../src/modules/queue/index.js';
import { unqueuedCount } from '../../src/modules/queue/queue.repo.js';
import { runInTransaction } from '../../src/db/index.js';
import type { QueueOp } from '../../src/modules/queue/queue-ops.js';
import { createUser } from '../../src/modules/users/index.js';
import type { UserRow } from '../../src/db/schema/users.js';
import { importText, jsonl, makeProject, makeTestDeps, type TestContext } from '../helpers.js';

const contexts: TestContext[] = [];
let clockNow = Date.parse('2026-11-27T08:00:00Z');
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

async function setup(queueWriter: 'thread' | 'inline', items = 30): Promise<{ t: TestContext; users: UserRow[] }> {
  const t = makeTestDeps({ queueWriter });
  contexts.push(t);
  (t.deps as { clock: { now(): number } }).clock = { now: () => clockNow };
  makeProject(t.deps, { name: 'w', labels: ['a', 'b'] });
  await importText(t.deps, 'w', jsonl(Array.from({ length: items }, (_, i) => ({ id: `i${i}`, text: `item ${i}` }))));
  const users = ['u1', 'u2', 'u3', 'u4'].map((name) => {
    createUser(t.deps, { name, role: 'annotator' });
    return t.deps.db.$client.prepare('SELECT id, name, role, token_hash AS tokenHash, created_at AS createdAt, revoked_at AS revokedAt, created_by_import_id AS createdByImportId FROM users WHERE name = ?').get(name) as UserRow;
  });
  return { t, users };
}

type Settled = { ok: true; value: unknown } | { ok: false; status: number; code: string; message: string; details: unknown };
const settle = (p: Promise<unknown>): Promise<Settled> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (e: unknown) => {
      if (!(e instanceof DomainError)) throw e;
      return { ok: false as const, status: e.status, code: e.code, message: e.message, details: e.details };
    },
  );

/** Rounds of writes asked for in one turn each: claims, then submits (a bad label, someone else's task, a replay among them). */
async function script(t: TestContext, users: UserRow[]): Promise<Settled[][]> {
  const run = (op: QueueOp) => settle(t.deps.queue.run(op));
  const rounds: Settled[][] = [];
  clockNow = Date.parse('2026-11-27T08:00:00Z');
  rounds.push(await Promise.all(users.map((user) => run({ op: 'claim', project: 'w', user }))));
  const taskOf = (r: Settled) => (r as { value: { taskId: number } }).value.taskId;
  const [t1, t2, t3, t4] = rounds[0]!.map(taskOf) as [number, number, number, number];
  const [u1, u2, u3, u4] = users as [UserRow, UserRow, UserRow, UserRow];
  clockNow += 1000;
  rounds.push(
    await Promise.all([
      run({ op: 'submit', taskId: t1, user: u1, input: { label: 'a' }, idempotencyKey: 'k1', next: true }),
      run({ op: 'submit', taskId: t2, user: u2, input: { label: 'nope' }, idempotencyKey: 'k2', next: true }),
      run({ op: 'submit', taskId: t3, user: u1, input: { label: 'b' }, idempotencyKey: 'k3', next: false }),
      run({ op: 'submit', taskId: t1, user: u1, input: { label: 'a' }, idempotencyKey: 'k1', next: true }),
      run({ op: 'skip', taskId: t4, user: u4, reason: 'unsure' }),
      run({ op: 'submit', taskId: t3, user: u3, input: { label: 'b' }, idempotencyKey: 'k3', next: false }),
    ]),
  );
  clockNow += 1000;
  rounds.push(await Promise.all(users.map((user) => run({ op: 'claim', project: 'w', user }))));
  return rounds;
}

describe('the queue writer', () => {
  it('runs the writes of one turn on its thread exactly as the inline writer does, errors and all', async () => {
    const thread = await setup('thread');
    const inline = await setup('inline');
    expect(thread.t.deps.queue.constructor.name).toBe('ThreadQueueWriter');
    expect(inline.t.deps.queue.constructor.name).toBe('InlineQueueWriter');
    const a = await script(thread.t, thread.users);
    const b = await script(inline.t, inline.users);
    expect(a).toEqual(b);

    const [, submits, again] = a as [Settled[], Settled[], Settled[]];
    expect(submits.map((s) => (s.ok ? 'ok' : s.status))).toEqual(['ok', 400, 403, 'ok', 'ok', 'ok']);
    // the bad label names the field; someone else's task is refused; the replay is the first submit, replayed
    expect(submits[1]).toMatchObject({ ok: false, code: 'validation_failed' });
    expect(JSON.stringify((submits[1] as { details: unknown }).details)).toContain('nope');
    expect(submits[2]).toMatchObject({ ok: false, code: 'forbidden', message: expect.stringContaining('another annotator') });
    const first = (submits[0] as { value: { next: { taskId: number } } }).value;
    expect((submits[3] as { value: { replayed: boolean; next: { taskId: number } } }).value).toMatchObject({ replayed: true, next: { taskId: first.next.taskId } });
    // after the round: u1 holds the task its submit claimed, u2 still holds its task (its submit stored nothing)
    expect((again[0] as { value: { taskId: number } }).value.taskId).toBe(first.next.taskId);
    expect((again[1] as { value: { taskId: number } }).value.taskId).toBe((a[0]![1] as { value: { taskId: number } }).value.taskId);

    const stored = thread.t.deps.db.$client.prepare(`SELECT count(*) AS n FROM annotations WHERE source = 'task'`).get() as { n: number };
    expect(stored.n).toBe(2);
  });

  it('closing answers the writes already asked for, then refuses new ones', async () => {
    const { t, users } = await setup('thread');
    const asked = users.map((user) => t.deps.queue.run<{ taskId: number } | null>({ op: 'claim', project: 'w', user }));
    await t.deps.queue.close();
    const claimed = await Promise.all(asked);
    expect(claimed.every((c) => c !== null && c.taskId > 0)).toBe(true);
    await expect(t.deps.queue.run({ op: 'claim', project: 'w', user: users[0]! })).rejects.toThrow(/shutting down/);
    const leased = t.deps.db.$client.prepare(`SELECT count(*) AS n FROM tasks WHERE status = 'leased'`).get() as { n: number };
    expect(leased.n).toBe(users.length);
  });

  it('rolls back a failing write alone; the others commit together and see each other', async () => {
    const { t } = await setup('inline', 1);
    const sqlite = t.deps.db.$client;
    sqlite.exec('CREATE TABLE scratch (v INTEGER)');
    const insert = (v: number) => () => sqlite.prepare('INSERT INTO scratch (v) VALUES (?)').run(v).changes;
    const outcomes = commitTogether(t.deps.db, [
      insert(1),
      () => {
        insert(2)();
        throw new Error('second write fails after writing');
      },
      () => (sqlite.prepare('SELECT count(*) AS n FROM scratch').get() as { n: number }).n,
      insert(3),
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
    expect(outcomes[2]).toEqual({ ok: true, value: 1 }); // sees the first write, not the rolled-back one
    expect((outcomes[1] as { error: Error }).error.message).toBe('second write fails after writing');
    expect(sqlite.prepare('SELECT v FROM scratch ORDER BY v').all()).toEqual([{ v: 1 }, { v: 3 }]);
    expect(sqlite.inTransaction).toBe(false);
  });
});

describe('the cold-start refill', () => {
  it('queues the unqueued items in seeded order, items imported later at their own key among them', async () => {
    const { t } = await setup('inline', 20);
    const sqlite = t.deps.db.$client;
    const project = resolveProject(t.deps, 'w');
    const inOrder = () => (sqlite.prepare(`SELECT external_id AS id FROM items WHERE project_id = ? ORDER BY rand, id`).all(project.id) as { id: string }[]).map((r) => r.id);
    const queued = () => (sqlite.prepare(`SELECT i.external_id AS id FROM queue_slots s JOIN items i ON i.id = s.item_id ORDER BY s.id`).all() as { id: string }[]).map((r) => r.id);

    expect(refillQueue(t.deps, project, 5)).toBe(5);
    expect(refillQueue(t.deps, project, 5)).toBe(5);
    const first = queued();
    expect(first).toEqual(inOrder().slice(0, 10));
    expect(unqueuedCount(t.deps.db, project.id)).toBe(10);
    const lastRand = (sqlite.prepare(`SELECT max(i.rand) AS r FROM queue_slots s JOIN items i ON i.id = s.item_id`).get() as { r: number }).r;

    await importText(t.deps, 'w', jsonl(Array.from({ length: 10 }, (_, i) => ({ id: `late${i}`, text: `late ${i}` }))));
    const lateBefore = sqlite.prepare(`SELECT count(*) AS n FROM items WHERE external_id LIKE 'late%' AND rand < ?`).get(lastRand) as { n: number };
    expect(lateBefore.n).toBeGreaterThan(0); // the case under test: keys before those already queued
    expect(unqueuedCount(t.deps.db, project.id)).toBe(20);

    let rounds = 0;
    while (refillQueue(t.deps, project, 5) > 0) rounds++;
    expect(rounds).toBe(4);
    const all = queued();
    expect(all.slice(0, 10)).toEqual(first);
    expect(all.slice(10)).toEqual(inOrder().filter((id) => !first.includes(id)));
    expect(unqueuedCount(t.deps.db, project.id)).toBe(0);
    expect(refillQueue(t.deps, project, 5)).toBe(0);
  });

  it('a refill that rolls back leaves its items unqueued, and the next refill takes them', async () => {
    const { t } = await setup('inline', 20);
    const project = resolveProject(t.deps, 'w');
    const firstFive = () => (t.deps.db.$client.prepare(`SELECT id FROM items WHERE project_id = ? ORDER BY rand, id LIMIT 5`).all(project.id) as { id: number }[]).map((r) => r.id);
    const queuedFlags = () => (t.deps.db.$client.prepare(`SELECT queued FROM items WHERE id IN (${firstFive().join(',')})`).all() as { queued: number }[]).map((r) => r.queued);
    expect(() =>
      runInTransaction(t.deps.db, () => {
        expect(refillQueue(t.deps, project, 5)).toBe(5);
        expect(queuedFlags()).toEqual([1, 1, 1, 1, 1]);
        throw new Error('the claim fails after the refill');
      }),
    ).toThrow('the claim fails after the refill');
    expect(queuedFlags()).toEqual([0, 0, 0, 0, 0]);
    expect(unqueuedCount(t.deps.db, project.id)).toBe(20);
    expect(refillQueue(t.deps, project, 5)).toBe(5);
    expect(queuedFlags()).toEqual([1, 1, 1, 1, 1]);
  });
});
