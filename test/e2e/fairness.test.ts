/**
 * Fairness of the annotation queue under concurrency, against the REAL server
 * process (`node bin/quorum.js serve`, built by the global setup) on loopback.
 *
 * 300 items, overlap 1 with an agreement sample of 20% at overlap 3; 50
 * simulated annotators, each with its own token, loop claim → submit (with an
 * Idempotency-Key) until the server answers 204. Now and then an annotator
 * double-clicks (the same submit twice at once, or two claims at once) or skips
 * its task. Afterwards the database (read-only) and the API must agree that:
 * no item got more annotations than it wants, none lost any, nobody labelled an
 * item twice, every stored submit is exactly one annotation, and skipped items
 * were done by other annotators.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createRng } from '../../src/core/random.js';
import { buildDeps } from '../../src/deps.js';
import { importText, jsonl, makeProject, tokenFor } from '../helpers.js';
import { startServer } from './browser.js';

const PROJECT = 'fair';
const LABELS = ['a', 'b', 'c'];
const N_ITEMS = 300;
const N_ANNOTATORS = 50;
const SKIP_RATE = 0.08;
const DOUBLE_SUBMIT_RATE = 0.12;
const DOUBLE_CLAIM_RATE = 0.05;
/** Claims one annotator may make in one round: far above its fair share (~420 annotations / 50). */
const MAX_STEPS = 200;
/** Rounds of all annotators; rounds after the first skip nothing (they pick up slots given back late). */
const MAX_ROUNDS = 4;

const dir = mkdtempSync(join(tmpdir(), 'quorum-fair-'));
const dbPath = join(dir, 'q.db');
let server: { url: string; child: ChildProcess } | undefined;
let admin: string;
const annotators: { name: string; token: string }[] = [];

interface Claim { annotator: string; taskId: number; itemId: string }
interface Stored { annotator: string; taskId: number; itemId: string; label: string; key: string }
interface Pair { annotator: string; taskId: number; replayed: boolean[] }
interface Skip { annotator: string; taskId: number; itemId: string }

const claims: Claim[] = [];
const stored: Stored[] = [];
const pairs: Pair[] = [];
const skips: Skip[] = [];
const doubleClaims: { annotator: string; taskIds: number[] }[] = [];
const unexpected: string[] = [];

beforeAll(async () => {
  const deps = buildDeps(loadConfig({}, { dbPath, logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  makeProject(deps, { name: PROJECT, labels: LABELS });
  await importText(deps, PROJECT, jsonl(Array.from({ length: N_ITEMS }, (_, i) => ({ id: `it-${i}`, text: `item ${i}` }))));
  admin = tokenFor(deps, 'admin', 'fair-admin');
  for (let i = 0; i < N_ANNOTATORS; i++) {
    const name = `ann-${String(i).padStart(2, '0')}`;
    annotators.push({ name, token: tokenFor(deps, 'annotator', name) });
  }
  await deps.close();
  server = await startServer(dbPath);
  expect(new URL(server.url).hostname).toBe('127.0.0.1');
});

afterAll(async () => {
  const child = server?.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    child.removeAllListeners('exit');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(t);
  }
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, token: string, opts: { body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server!.url + path, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

interface TaskBody { taskId: number; item: { id: string } }
const claim = (token: string) => call('GET', `/api/v1/projects/${PROJECT}/tasks/next`, token);
const submit = (token: string, taskId: number, label: string, key: string) =>
  call('POST', `/api/v1/tasks/${taskId}/annotation`, token, { body: { label }, headers: { 'idempotency-key': key } });

/** One annotator's loop: claim → submit (or skip) until 204; returns how many tasks it claimed. */
async function annotate(a: { name: string; token: string }, seed: number, round: number): Promise<number> {
  const rng = createRng(seed);
  const skipRate = round === 0 ? SKIP_RATE : 0;
  let claimed = 0;
  for (let step = 0; step < MAX_STEPS; step++) {
    let res;
    if (rng.next() < DOUBLE_CLAIM_RATE) {
      // a double click on "next": two tasks handed out must be the same one (the one held). Near the end of the
      // queue, "nothing left" then a task is also right: another annotator's skip can free a slot between the two
      const [r1, r2] = await Promise.all([claim(a.token), claim(a.token)]);
      const statuses = [r1.status, r2.status].sort().join(' ');
      if (statuses !== '200 200' && statuses !== '204 204' && statuses !== '200 204') unexpected.push(`${a.name}: double claim gave ${r1.status} and ${r2.status}`);
      if (r1.status === 200 && r2.status === 200) doubleClaims.push({ annotator: a.name, taskIds: [(r1.body as unknown as TaskBody).taskId, (r2.body as unknown as TaskBody).taskId] });
      res = r1.status === 200 ? r1 : r2;
    } else {
      res = await claim(a.token);
    }
    if (res.status === 204) return claimed;
    if (res.status !== 200) {
      unexpected.push(`${a.name}: claim ${res.status} ${JSON.stringify(res.body)}`);
      return claimed;
    }
    claimed++;
    const task = res.body as unknown as TaskBody;
    claims.push({ annotator: a.name, taskId: task.taskId, itemId: task.item.id });
    if (rng.next() < skipRate) {
      const s = await call('POST', `/api/v1/tasks/${task.taskId}/skip`, a.token, { body: {} });
      if (s.status !== 200) unexpected.push(`${a.name}: skip ${s.status} ${JSON.stringify(s.body)}`);
      else skips.push({ annotator: a.name, taskId: task.taskId, itemId: task.item.id });
      continue;
    }
    const label = LABELS[rng.int(LABELS.length)]!;
    const key = `${a.name}:${task.taskId}:${round}`;
    const sends = rng.next() < DOUBLE_SUBMIT_RATE ? 2 : 1;
    const results = await Promise.all(Array.from({ length: sends }, () => submit(a.token, task.taskId, label, key)));
    for (const r of results) {
      if (r.status !== 200) unexpected.push(`${a.name}: submit ${r.status} ${JSON.stringify(r.body)}`);
      else if (r.body!.taskId !== task.taskId || r.body!.label !== label) unexpected.push(`${a.name}: submit answered ${JSON.stringify(r.body)}`);
      else if (r.body!.replayed === false) stored.push({ annotator: a.name, taskId: task.taskId, itemId: task.item.id, label, key });
    }
    if (sends === 2) pairs.push({ annotator: a.name, taskId: task.taskId, replayed: results.map((r) => r.body?.replayed === true) });
  }
  unexpected.push(`${a.name}: still claiming after ${MAX_STEPS} steps`);
  return claimed;
}

it('50 concurrent annotators on the real server: every item gets exactly its wanted annotations, nobody twice', async () => {
  const t0 = performance.now();
  // settings through the API, as an admin would set them
  const patched = await call('PATCH', `/api/v1/projects/${PROJECT}/settings`, admin, { body: { overlap: 1, agreementSample: 0.2, agreementOverlap: 3, leaseSeconds: 600 } });
  expect(patched.status).toBe(200);
  expect(patched.body!.settings).toMatchObject({ overlap: 1, agreementSample: 0.2, agreementOverlap: 3, leaseSeconds: 600 });

  // a skip with nobody else around: the slot is first in line again, but never for the skipper
  for (const a of annotators.slice(0, 5)) {
    const first = await claim(a.token);
    expect(first.status).toBe(200);
    const t1 = first.body as unknown as TaskBody;
    claims.push({ annotator: a.name, taskId: t1.taskId, itemId: t1.item.id });
    expect((await call('POST', `/api/v1/tasks/${t1.taskId}/skip`, a.token, { body: { reason: 'unsure' } })).status).toBe(200);
    skips.push({ annotator: a.name, taskId: t1.taskId, itemId: t1.item.id });
    // a late submit on the skipped task stores nothing
    expect((await submit(a.token, t1.taskId, 'b', `${a.name}:${t1.taskId}:late`)).status).toBe(409);
    const second = await claim(a.token);
    expect(second.status).toBe(200);
    const t2 = second.body as unknown as TaskBody;
    expect(t2.item.id, `${a.name} got the item it skipped back`).not.toBe(t1.item.id);
    claims.push({ annotator: a.name, taskId: t2.taskId, itemId: t2.item.id });
    const s = await submit(a.token, t2.taskId, 'a', `${a.name}:${t2.taskId}:prelude`);
    expect(s.status).toBe(200);
    stored.push({ annotator: a.name, taskId: t2.taskId, itemId: t2.item.id, label: 'a', key: `${a.name}:${t2.taskId}:prelude` });
  }

  // rounds: all annotators at once until each gets 204; a later round picks up slots skipped after someone stopped
  const perRound: number[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const counts = await Promise.all(annotators.map((a, i) => annotate(a, 1000 * round + i + 1, round)));
    perRound.push(counts.reduce((s, n) => s + n, 0));
    if (round > 0 && perRound[round] === 0) break;
  }
  expect(unexpected).toEqual([]);
  expect(perRound.at(-1), `claims per round: ${perRound.join(', ')}`).toBe(0);
  // everyone is finished: one more claim each is a 204
  const finals = await Promise.all(annotators.map((a) => claim(a.token)));
  expect(finals.map((r) => r.status)).toEqual(annotators.map(() => 204));
  const loadMs = performance.now() - t0;

  // the simulation exercised what it claims to
  expect(skips.length).toBeGreaterThan(5);
  expect(pairs.length).toBeGreaterThan(5);
  expect(new Set(claims.map((c) => c.annotator)).size).toBe(N_ANNOTATORS);

  // ---- the database, read-only
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const projectId = (db.prepare('SELECT id FROM projects WHERE name = ?').get(PROJECT) as { id: number }).id;
    const items = db.prepare('SELECT id, external_id AS ext FROM items WHERE project_id = ?').all(projectId) as { id: number; ext: string }[];
    expect(items).toHaveLength(N_ITEMS);
    const extOf = new Map(items.map((i) => [i.id, i.ext]));

    // wanted count per item, independently of the service: the slots queued for it
    const slots = db.prepare(`SELECT item_id AS itemId, count(*) AS n, sum(status = 'done') AS done, sum(source = 'gold') AS gold
                                FROM queue_slots WHERE project_id = ? GROUP BY item_id`).all(projectId) as { itemId: number; n: number; done: number; gold: number }[];
    expect(slots).toHaveLength(N_ITEMS); // every item was queued
    const wanted = new Map(slots.map((s) => [extOf.get(s.itemId)!, s.n]));
    expect(slots.filter((s) => s.n !== 1 && s.n !== 3)).toEqual([]);
    expect(slots.filter((s) => s.done !== s.n || s.gold !== 0)).toEqual([]); // every slot done, none left open or leased
    const sampled = slots.filter((s) => s.n === 3).length / N_ITEMS;
    expect(sampled).toBeGreaterThan(0.12); // 20% ± 2.8 standard deviations at n = 300
    expect(sampled).toBeLessThan(0.28);

    // current annotations per item: exactly the wanted count (never more, nothing lost)
    const have = new Map(
      (db.prepare(`SELECT item_id AS itemId, count(*) AS n FROM annotations WHERE project_id = ? AND superseded_at IS NULL GROUP BY item_id`).all(projectId) as { itemId: number; n: number }[])
        .map((r) => [extOf.get(r.itemId)!, r.n]),
    );
    const mismatched = items.filter((i) => (have.get(i.ext) ?? 0) !== wanted.get(i.ext)).map((i) => `${i.ext}: have ${have.get(i.ext) ?? 0}, want ${wanted.get(i.ext)}`);
    expect(mismatched).toEqual([]);
    expect(db.prepare(`SELECT count(*) AS n FROM annotations WHERE superseded_at IS NOT NULL OR source <> 'task'`).get()).toEqual({ n: 0 });

    // nobody labelled (or was given a finished task on) the same item twice
    expect(db.prepare(`SELECT item_id, annotator_id, count(*) AS n FROM annotations GROUP BY 1, 2 HAVING n > 1`).all()).toEqual([]);
    expect(db.prepare(`SELECT item_id, annotator_id, count(*) AS n FROM tasks WHERE status = 'done' GROUP BY 1, 2 HAVING n > 1`).all()).toEqual([]);
    expect(db.prepare(`SELECT count(*) AS n FROM tasks WHERE status IN ('leased', 'expired')`).get()).toEqual({ n: 0 });

    // every successful submit (200, replayed false) is exactly one stored annotation, with the label sent
    const byTask = new Map<number, number>();
    for (const s of stored) byTask.set(s.taskId, (byTask.get(s.taskId) ?? 0) + 1);
    expect([...byTask].filter(([, n]) => n !== 1)).toEqual([]);
    const annotationCount = (db.prepare(`SELECT count(*) AS n FROM annotations WHERE project_id = ?`).get(projectId) as { n: number }).n;
    expect(annotationCount).toBe(stored.length);
    const doneTasks = db.prepare(`SELECT t.id AS taskId, u.name AS annotator, i.external_id AS itemId, a.value, t.idempotency_key AS key,
                                         a.item_id = t.item_id AND a.annotator_id = t.annotator_id AS matches
                                    FROM tasks t JOIN users u ON u.id = t.annotator_id JOIN items i ON i.id = t.item_id
                                    LEFT JOIN annotations a ON a.id = t.annotation_id
                                   WHERE t.status = 'done' ORDER BY t.id`).all() as { taskId: number; annotator: string; itemId: string; value: string | null; key: string; matches: number }[];
    expect(doneTasks).toEqual(
      [...stored].sort((x, y) => x.taskId - y.taskId).map((s) => ({ taskId: s.taskId, annotator: s.annotator, itemId: s.itemId, value: JSON.stringify(s.label), key: s.key, matches: 1 })),
    );

    // double clicks: each pair was one store and one replay, and stored one annotation
    for (const p of pairs) expect(p.replayed.slice().sort()).toEqual([false, true]);
    const perTask = db.prepare(`SELECT count(*) AS n FROM annotations a JOIN tasks t ON t.item_id = a.item_id AND t.annotator_id = a.annotator_id WHERE t.id = ?`);
    expect(pairs.map((p) => (perTask.get(p.taskId) as { n: number }).n)).toEqual(pairs.map(() => 1));
    // two claims at once handed out the one task the annotator holds
    expect(doubleClaims.filter((d) => d.taskIds[0] !== d.taskIds[1])).toEqual([]);

    // skipped items: recorded as skipped, never given back to the skipper, done by someone else
    const skippedRows = db.prepare(`SELECT t.id AS taskId, u.name AS annotator, i.external_id AS itemId FROM tasks t JOIN users u ON u.id = t.annotator_id
                                      JOIN items i ON i.id = t.item_id WHERE t.status = 'skipped' ORDER BY t.id`).all();
    expect(skippedRows).toEqual([...skips].sort((x, y) => x.taskId - y.taskId).map((s) => ({ taskId: s.taskId, annotator: s.annotator, itemId: s.itemId })));
    const labelledBy = new Map<string, Set<string>>();
    for (const s of stored) labelledBy.set(s.itemId, (labelledBy.get(s.itemId) ?? new Set()).add(s.annotator));
    for (const s of skips) {
      expect(labelledBy.get(s.itemId)?.has(s.annotator), `${s.annotator} skipped ${s.itemId} and labelled it`).toBe(false);
      expect(labelledBy.get(s.itemId)?.size, `skipped ${s.itemId} is complete`).toBe(wanted.get(s.itemId));
    }
    const claimedPairs = claims.map((c) => `${c.annotator}\u0000${c.itemId}`);
    expect(claimedPairs.length - new Set(claimedPairs).size).toBe(0); // no item handed to the same annotator twice
  } finally {
    db.close();
  }

  // ---- the API agrees
  const queue = await call('GET', `/api/v1/projects/${PROJECT}/queue`, admin);
  expect(queue.status).toBe(200);
  expect(new Set(stored.map((s) => s.itemId)).size).toBe(N_ITEMS); // every item got a label
  expect(queue.body).toMatchObject({ open: 0, leased: 0, done: stored.length, notYetQueued: 0 });

  const page = await call('GET', `/api/v1/projects/${PROJECT}/items?limit=1000`, admin);
  expect(page.status).toBe(200);
  const apiItems = (page.body as unknown as { items: { id: string; annotations: { annotator: string; label: string; source: string }[] }[] }).items;
  expect(apiItems).toHaveLength(N_ITEMS);
  const expected = new Map<string, string[]>();
  for (const s of stored) expected.set(s.itemId, [...(expected.get(s.itemId) ?? []), `${s.annotator}=${s.label}`]);
  const apiBad = apiItems.filter((i) => {
    const got = i.annotations.map((a) => `${a.annotator}=${a.label}`).sort();
    return JSON.stringify(got) !== JSON.stringify((expected.get(i.id) ?? []).sort()) || i.annotations.some((a) => a.source !== 'task');
  });
  expect(apiBad.map((i) => i.id)).toEqual([]);
  const counts = apiItems.map((i) => i.annotations.length);
  expect(counts.filter((n) => n !== 1 && n !== 3)).toEqual([]);

  const stats = await call('GET', `/api/v1/projects/${PROJECT}/annotators`, admin);
  expect(stats.status).toBe(200);
  const perAnnotator = new Map<string, number>();
  for (const s of stored) perAnnotator.set(s.annotator, (perAnnotator.get(s.annotator) ?? 0) + 1);
  const apiDone = new Map((stats.body!.annotators as { annotator: string; done: number }[]).map((a) => [a.annotator, a.done]));
  expect(Object.fromEntries(apiDone)).toEqual(Object.fromEntries(perAnnotator));

  expect(loadMs).toBeLessThan(30_000);
});
