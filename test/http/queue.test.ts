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

async function claim(who: string): Promise<{ taskId: number; item: Record<string, unknown> }> {
  const res = await next(who);
  expect(res.status).toBe(200);
  return (await res.json()) as { taskId: number; item: Record<string, unknown> };
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
});
