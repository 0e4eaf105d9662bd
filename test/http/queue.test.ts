import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appFor, importText, jsonl, makeProject, makeTestDeps, tableCounts, tokenFor, type TestContext } from '../helpers.js';

let t: TestContext;
let api: ReturnType<typeof appFor>;
let now = 0;
const tok: Record<string, string> = {};

beforeEach(async () => {
  now = Date.parse('2026-11-26T12:00:00Z');
  t = makeTestDeps();
  (t.deps as { clock: { now(): number } }).clock = { now: () => now };
  api = appFor(t.deps);
  makeProject(t.deps, { name: 'q', labels: ['a', 'b'] });
  await importText(t.deps, 'q', jsonl(Array.from({ length: 5 }, (_, i) => ({ id: `i${i}`, text: `<script>alert(${i})</script>` }))));
  for (const [name, role] of [['admin', 'admin'], ['ann', 'annotator'], ['bob', 'annotator'], ['vic', 'viewer'], ['rita', 'reviewer']] as const) tok[name] = tokenFor(t.deps, role, name);
});
afterEach(() => t.close());

const next = (who: string) => api.request('GET', '/api/v1/projects/q/tasks/next', { token: tok[who] });
const submit = (who: string, taskId: number, body: unknown, key?: string) =>
  api.request('POST', `/api/v1/tasks/${taskId}/annotation`, { token: tok[who], body, headers: key ? { 'idempotency-key': key } : {} });

const submitNext = (who: string, taskId: number, body: unknown, key?: string, next = 'true') =>
  api.request('POST', `/api/v1/tasks/${taskId}/annotation?next=${next}`, { token: tok[who], body, headers: key ? { 'idempotency-key': key } : {} });

interface Task { taskId: number; item: Record<string, unknown>; source: string; leaseExpiresAt: string }
interface WithNext { taskId: number; label: unknown; createdAt: string; replayed: boolean; next?: Task | null }

/** Tasks leased right now, per annotator name. */
const leased = () =>
  Object.fromEntries(
    (t.deps.db.$client.prepare(`SELECT u.name, count(*) AS n FROM tasks k JOIN users u ON u.id = k.annotator_id WHERE k.status = 'leased' AND k.lease_expires_at > ? GROUP BY u.name`).all(now) as { name: string; n: number }[]).map((r) => [r.name, r.n]),
  );

async function claim(who: string): Promise<Task> {
  const res = await next(who);
  expect(res.status).toBe(200);
  return (await res.json()) as Task;
}

describe('annotation API', () => {
  it('claims, submits idempotently, and answers 204 when nothing is left', async () => {
    const task = await claim('ann');
    expect(Object.keys(task.item).sort()).toEqual(['id', 'meta', 'text']);
    expect(task.item.text).toMatch(/^<script>alert\(\d\)<\/script>$/);
    const first = await submit('ann', task.taskId, { label: 'a', durationMs: 900 }, 'key-1');
    expect(await first.json()).toMatchObject({ label: 'a', replayed: false });
    const twice = await Promise.all([submit('ann', task.taskId, { label: 'a' }, 'key-1'), submit('ann', task.taskId, { label: 'a' }, 'key-1')]);
    for (const r of twice) expect(await r.json()).toMatchObject({ replayed: true });
    expect(tableCounts(t.deps).annotations).toBe(1);
    for (let i = 0; i < 4; i++) {
      const tk = await claim('ann');
      expect((await submit('ann', tk.taskId, { label: 'b' }, `k${i}`)).status).toBe(200);
    }
    expect((await next('ann')).status).toBe(204);
  });

  it('bad input gets the right status and a clear message, and stores nothing', async () => {
    const task = await claim('ann');
    const before = tableCounts(t.deps);
    const cases: [Response | Promise<Response>, number, RegExp][] = [
      [submit('ann', task.taskId, { label: 'zzz' }), 400, /label: unknown label "zzz"/],
      [submit('ann', task.taskId, { label: '' }), 400, /label: is empty/],
      [submit('ann', task.taskId, { lable: 'a' }), 400, /label/],
      [api.request('POST', `/api/v1/tasks/${task.taskId}/annotation`, { token: tok.ann, raw: '{"label": ', headers: { 'content-type': 'application/json' } }), 400, /Malformed JSON/],
      [submit('ann', 424242, { label: 'a' }), 404, /task 424242 not found/],
      [submit('bob', task.taskId, { label: 'a' }), 403, /belongs to another annotator/],
      [submit('ann', task.taskId, { label: 'a' }, 'x'.repeat(201)), 400, /Idempotency-Key/],
      [api.request('POST', `/api/v1/tasks/${task.taskId}/annotation`, { token: tok.ann!.slice(0, -2) + "xx", body: { label: "a" } }), 401, /invalid or revoked token/],
      [api.request('POST', `/api/v1/tasks/${task.taskId}/annotation`, { body: { label: 'a' } }), 401, /missing bearer token/],
      [api.request('PATCH', '/api/v1/projects/q/settings', { token: tok.ann, body: { overlap: 3 } }), 403, /needs the role admin/],
      [api.request('GET', '/api/v1/projects/q/items', { token: tok.ann }), 403, /admin or viewer/],
      [api.request('GET', '/api/v1/projects/q/queue', { token: tok.ann }), 403, /admin or viewer/],
      [api.request('GET', '/api/v1/projects/q/review/next', { token: tok.ann }), 403, /reviewer or admin/],
      [api.request('PATCH', '/api/v1/projects/q/settings', { token: tok.admin, body: { overlap: 0 } }), 400, /overlap/],
      [api.request('PATCH', '/api/v1/projects/q/settings', { token: tok.admin, body: { overlapp: 2 } }), 400, /overlapp|Unrecognized/i],
    ];
    for (const [pending, status, message] of cases) {
      const res = await pending;
      const body = (await res.json()) as { detail: string };
      expect(res.status, body.detail).toBe(status);
      expect(body.detail).toMatch(message);
    }
    expect(tableCounts(t.deps)).toEqual(before);
  });

  it('an expired lease that someone else took gives 409 and stores nothing', async () => {
    await api.request('PATCH', '/api/v1/projects/q/settings', { token: tok.admin, body: { leaseSeconds: 30 } });
    const a = await claim('ann');
    now += 31_000;
    const b = await claim('bob');
    expect(b.item.id).toBe(a.item.id);
    const late = await submit('ann', a.taskId, { label: 'a' }, 'k');
    expect(late.status).toBe(409);
    expect(((await late.json()) as { detail: string }).detail).toMatch(/expired and another annotator took the item/);
    expect(tableCounts(t.deps).annotations).toBe(0);
  });

  it('skip: the item goes to someone else, never back to the one who skipped', async () => {
    const a = await claim('ann');
    const skip = await api.request('POST', `/api/v1/tasks/${a.taskId}/skip`, { token: tok.ann, body: { reason: 'unclear' } });
    expect(await skip.json()).toEqual({ taskId: a.taskId, skipped: true });
    const again = await claim('ann');
    expect(again.item.id).not.toBe(a.item.id);
    expect((await claim('bob')).item.id).toBe(a.item.id);
  });

  it("annotators never receive another annotator's labels, through any route they may call", async () => {
    await api.request('PATCH', '/api/v1/projects/q/settings', { token: tok.admin, body: { overlap: 2 } });
    for (let i = 0; i < 5; i++) {
      const b = await claim('bob');
      await submit('bob', b.taskId, { label: 'b' }, `b${i}`);
    }
    const a = await claim('ann');
    const bodies = await Promise.all(
      ['/api/v1/projects', '/api/v1/projects/q', '/api/v1/projects/q/me/progress', '/api/v1/projects/q/tasks/next', '/api/v1/me'].map(async (p) => (await api.request('GET', p, { token: tok.ann })).text()),
    );
    for (const body of bodies) {
      expect(body).not.toMatch(/bob/);
      expect(body).not.toMatch(/"label"/);
      expect(body).not.toMatch(/annotations"\s*:\s*\[\s*\{/);
    }
    expect(JSON.parse(bodies[3]!)).toMatchObject({ taskId: a.taskId });
  });

  it('reviewers resolve disputed items; the queue and annotator views show the state', async () => {
    await api.request('PATCH', '/api/v1/projects/q/settings', { token: tok.admin, body: { overlap: 2 } });
    for (const [who, label] of [['ann', 'a'], ['bob', 'b']] as const) {
      for (let i = 0; i < 5; i++) {
        const tk = await claim(who);
        await submit(who, tk.taskId, { label }, `${who}${i}`);
      }
    }
    const status = (await (await api.request('GET', '/api/v1/projects/q/queue', { token: tok.vic })).json()) as { done: number; reviews: { open: number } };
    expect(status).toMatchObject({ done: 10, reviews: { open: 5 } });
    const review = (await (await api.request('GET', '/api/v1/projects/q/review/next', { token: tok.rita })).json()) as { reviewId: number; labels: unknown[] };
    expect(review.labels).toEqual([{ annotator: 'A', label: 'a' }, { annotator: 'B', label: 'b' }]);
    const bad = await api.request('POST', `/api/v1/reviews/${review.reviewId}/resolve`, { token: tok.rita, body: { label: 'nope' } });
    expect(bad.status).toBe(400);
    const ok = await api.request('POST', `/api/v1/reviews/${review.reviewId}/resolve`, { token: tok.rita, body: { label: 'b' } });
    expect(await ok.json()).toMatchObject({ reviewId: review.reviewId, label: 'b' });
    const people = (await (await api.request('GET', '/api/v1/projects/q/annotators', { token: tok.vic })).json()) as { annotators: { annotator: string; done: number }[] };
    expect(people.annotators.map((p) => [p.annotator, p.done])).toEqual([['ann', 5], ['bob', 5]]);
  });

  describe('submit with ?next=true', () => {
    it('stores the label and returns the next task: one request per item, then next null when nothing is left', async () => {
      let task: Task = await claim('ann');
      const seen = [task.item.id];
      for (let i = 0; ; i++) {
        const res = await submitNext('ann', task.taskId, { label: 'a', durationMs: 10 }, `n${i}`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as WithNext;
        expect(body).toMatchObject({ taskId: task.taskId, label: 'a', replayed: false });
        expect(tableCounts(t.deps).annotations).toBe(i + 1);
        if (body.next === null) break;
        expect(Object.keys(body.next!).sort()).toEqual(['item', 'leaseExpiresAt', 'source', 'taskId']);
        expect(Object.keys(body.next!.item).sort()).toEqual(['id', 'meta', 'text']);
        expect(body.next!.taskId).not.toBe(task.taskId);
        expect(leased()).toEqual({ ann: 1 }); // the next task is leased to ann, and only it
        task = body.next!;
        seen.push(task.item.id);
      }
      expect(seen.sort()).toEqual(['i0', 'i1', 'i2', 'i3', 'i4']);
      expect(leased()).toEqual({});
      expect((await next('ann')).status).toBe(204);
      // without ?next (or next=false) the answer is the plain submit result
      const plain = (await (await submitNext('ann', task.taskId, { label: 'b' }, 'change', 'false')).json()) as WithNext;
      expect(plain).not.toHaveProperty('next');
      expect(plain).toMatchObject({ label: 'b', replayed: false });
    });

    it('the claim counts the label just stored (maxPerAnnotator) and is the same claim as tasks/next', async () => {
      await api.request('PATCH', '/api/v1/projects/q/settings', { token: tok.admin, body: { maxPerAnnotator: 2 } });
      const a = await claim('ann');
      const b = ((await (await submitNext('ann', a.taskId, { label: 'a' }, 'm1')).json()) as WithNext).next!;
      expect(b.source).toBe('cold-start');
      expect(((await (await submitNext('ann', b.taskId, { label: 'a' }, 'm2')).json()) as WithNext).next).toBeNull();
      expect((await next('ann')).status).toBe(204);
    });

    it('a replay (same Idempotency-Key) stores nothing and returns the task the annotator holds, or claims one', async () => {
      const a = await claim('ann');
      const first = (await (await submitNext('ann', a.taskId, { label: 'a' }, 'key-1')).json()) as WithNext;
      expect(first.next).toBeTruthy();
      // the answer was lost: the retry (even two at once) gets the same stored result and the same next task
      const retries = await Promise.all([submitNext('ann', a.taskId, { label: 'a' }, 'key-1'), submitNext('ann', a.taskId, { label: 'a' }, 'key-1')]);
      for (const r of retries) {
        const body = (await r.json()) as WithNext;
        expect(body).toEqual({ ...first, replayed: true });
      }
      expect(tableCounts(t.deps).annotations).toBe(1);
      expect(leased()).toEqual({ ann: 1 });
      const tasks = () => (t.deps.db.$client.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n;
      expect(tasks()).toBe(2);
      // a submit stored without ?next, replayed with ?next=true while holding nothing: the replay claims a task
      const b = first.next!;
      await submit('ann', b.taskId, { label: 'b' }, 'key-2');
      expect(leased()).toEqual({});
      const replay = (await (await submitNext('ann', b.taskId, { label: 'b' }, 'key-2')).json()) as WithNext;
      expect(replay).toMatchObject({ taskId: b.taskId, label: 'b', replayed: true });
      expect(replay.next!.taskId).not.toBe(b.taskId);
      expect(leased()).toEqual({ ann: 1 });
      const again = (await (await submitNext('ann', b.taskId, { label: 'b' }, 'key-2')).json()) as WithNext;
      expect(again.next).toEqual(replay.next);
      expect(tableCounts(t.deps).annotations).toBe(2);
      expect(tasks()).toBe(3);
    });

    it('a 409 on an expired lease, or a bad label, stores nothing and claims nothing', async () => {
      await api.request('PATCH', '/api/v1/projects/q/settings', { token: tok.admin, body: { leaseSeconds: 30 } });
      const a = await claim('ann');
      const bad = await submitNext('ann', a.taskId, { label: 'zzz' }, 'k0');
      expect(bad.status).toBe(400);
      expect(leased()).toEqual({ ann: 1 });
      now += 31_000;
      const b = await claim('bob');
      expect(b.item.id).toBe(a.item.id);
      const before = { ...tableCounts(t.deps), tasks: (t.deps.db.$client.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n };
      const late = await submitNext('ann', a.taskId, { label: 'a' }, 'k');
      expect(late.status).toBe(409);
      expect(((await late.json()) as { detail: string }).detail).toMatch(/expired and another annotator took the item/);
      expect({ ...tableCounts(t.deps), tasks: (t.deps.db.$client.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n }).toEqual(before);
      expect(leased()).toEqual({ bob: 1 });
      // ann's own claim afterwards is a fresh one, not something the failed request left behind
      expect((await claim('ann')).item.id).not.toBe(a.item.id);
    });

    it('refuses a bad value of next, and the roles of the submit still apply', async () => {
      const a = await claim('ann');
      const res = await submitNext('ann', a.taskId, { label: 'a' }, 'k', 'yes');
      expect(res.status).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/next/);
      expect((await submitNext('bob', a.taskId, { label: 'a' }, 'k')).status).toBe(403);
      expect(tableCounts(t.deps).annotations).toBe(0);
      expect(leased()).toEqual({ ann: 1 });
    });
  });
});
