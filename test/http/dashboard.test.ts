/**
 * The dashboard's numbers against what the test knows or recomputes itself: two
 * annotators label digits over five days (a clock the test moves), the loop trains,
 * evaluates and promotes every 60 pool labels, and every value is checked against
 * the test's own bookkeeping or the stored rows, not against the service's helpers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildDeps, type Deps } from '../../src/deps.js';
import { dashboardSchema, projectDashboard, type Dashboard } from '../../src/modules/evaluation/index.js';
import { updateSettings } from '../../src/modules/projects/index.js';
import { claimNextTask, submitAnnotation } from '../../src/modules/queue/index.js';
import { authenticate, createUser } from '../../src/modules/users/index.js';
import { appFor, importText, jsonl, makeProject, tokenFor } from '../helpers.js';

interface Row { id: string; features: number[]; label: string }
const rows = gunzipSync(readFileSync(new URL('../fixtures/datasets/digits.jsonl.gz', import.meta.url))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
const testIds = new Set(JSON.parse(readFileSync(new URL('../fixtures/datasets/digits.test_ids.json', import.meta.url), 'utf8')) as string[]);
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 1, 9);
const LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

let now = T0;
const dir = mkdtempSync(join(tmpdir(), 'quorum-dash-'));
let deps: Deps;
let dash: Dashboard;
const sql = <T>(q: string, ...args: unknown[]) => deps.db.$client.prepare(q).all(...args) as T[];

/** What the test did, to compare with. */
const done = { perDay: new Map<string, number>(), durations: new Map<string, number[]>(), gold: new Map<string, { answered: number; correct: number }>(), poolLabelled: new Set<string>() };

beforeAll(async () => {
  deps = buildDeps(loadConfig({}, { dbPath: join(dir, 'q.db'), tmpDir: join(dir, 'tmp'), logLevel: 'silent' }), { clock: { now: () => now }, logger: pino({ level: 'silent' }) });
  deps.startLoop();
  makeProject(deps, { name: 'digits', labels: LABELS });
  updateSettings(deps, 'digits', { retrainEveryNewLabels: 60, loopBatchSize: 60, goldRate: 0.1, goldMinAnswers: 5, goldThreshold: 0.9 });
  const train = rows.filter((r) => !testIds.has(r.id));
  // labelled long before the 60-day window: complete items, but not in the daily volume
  now = T0 - 70 * DAY;
  await importText(deps, 'digits', jsonl(train.slice(0, 5)));
  now = T0;
  await importText(deps, 'digits', jsonl(train.slice(5, 25)), { split: 'gold' });
  await importText(deps, 'digits', jsonl(train.slice(25).map(({ label: _l, ...r }) => r)));
  await importText(deps, 'digits', jsonl(rows.filter((r) => testIds.has(r.id))), { split: 'eval' });
  done.perDay.set('2025-03-01', 0);

  const truth = new Map(rows.map((r) => [r.id, r.label]));
  const gold = new Set(train.slice(5, 25).map((r) => r.id));
  const people = ['ann', 'bob'].map((name) => ({ name, user: authenticate(deps, createUser(deps, { name, role: 'annotator' }).token), n: 0 }));
  for (let day = 0; day < 5; day++) {
    now = T0 + day * DAY;
    for (let k = 0; k < 60; k++) {
      const who = people[k % 3 === 2 ? 1 : 0]!; // ann 40 a day, bob 20
      const task = claimNextTask(deps, 'digits', who.user)!;
      const right = truth.get(task.item.id)!;
      // bob gets every other gold item and every fourth pool item wrong
      const isGold = gold.has(task.item.id);
      const wrong = who.name === 'bob' && (isGold ? (done.gold.get('bob')?.answered ?? 0) % 2 === 0 : who.n % 4 === 0);
      const label = wrong ? String((Number(right) + 1) % 10) : right;
      const durationMs = (who.name === 'ann' ? 1500 : 4000) + ((who.n * 137) % 1000);
      submitAnnotation(deps, task.taskId, who.user, { label, durationMs }, null);
      who.n++;
      await deps.runner.idle();
      const date = new Date(now).toISOString().slice(0, 10);
      done.perDay.set(date, (done.perDay.get(date) ?? 0) + 1);
      done.durations.set(who.name, [...(done.durations.get(who.name) ?? []), durationMs]);
      if (isGold) {
        const g = done.gold.get(who.name) ?? { answered: 0, correct: 0 };
        done.gold.set(who.name, { answered: g.answered + 1, correct: g.correct + (label === right ? 1 : 0) });
      } else done.poolLabelled.add(task.item.id);
    }
  }
  now = T0 + 5 * DAY + 3600_000;
  dash = projectDashboard(deps, 'digits');
}, 120_000);

afterAll(async () => {
  await deps?.close();
  rmSync(dir, { recursive: true, force: true });
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function kappa(a: number[], b: number[]): number | null {
  const n = a.length;
  const pa = new Map<number, number>(), pb = new Map<number, number>();
  let agree = 0;
  a.forEach((x, i) => {
    if (x === b[i]) agree++;
    pa.set(x, (pa.get(x) ?? 0) + 1 / n);
    pb.set(b[i]!, (pb.get(b[i]!) ?? 0) + 1 / n);
  });
  const pe = [...pa].reduce((s, [c, p]) => s + p * (pb.get(c) ?? 0), 0);
  return pe >= 1 ? null : (agree / n - pe) / (1 - pe);
}

describe('the project dashboard', () => {
  it('completion, labels per day and the annotators match what was done', () => {
    expect(() => dashboardSchema.parse(dash)).not.toThrow();
    const items = rows.length - 20; // every pool and eval item; gold items are not labelling work
    expect(dash.completion).toEqual({ items, complete: 5 + testIds.size + done.poolLabelled.size, rate: (5 + testIds.size + done.poolLabelled.size) / items });

    expect(dash.labelsPerDay).toHaveLength(60);
    expect(dash.labelsPerDay.at(-1)!.date).toBe('2025-03-06');
    expect(dash.labelsPerDay[0]!.date).toBe('2025-01-06');
    const byDate = new Map(dash.labelsPerDay.map((d) => [d.date, d]));
    for (const [date, n] of done.perDay) expect(byDate.get(date)!.task, date).toBe(n);
    // the eval labels were imported on day 0; the 5 labels from 70 days ago fall outside the window
    expect(byDate.get('2025-03-01')!.import).toBe(testIds.size);
    expect(dash.labelsPerDay.reduce((s, d) => s + d.task + d.import + d.review, 0)).toBe(300 + testIds.size);

    expect(dash.annotators.map((a) => a.annotator)).toEqual(['ann', 'bob']);
    for (const a of dash.annotators) {
      const g = done.gold.get(a.annotator)!;
      expect(g.answered).toBeGreaterThanOrEqual(5);
      expect(a.annotations).toBe(done.durations.get(a.annotator)!.length);
      expect(a.medianSeconds).toBeCloseTo(median(done.durations.get(a.annotator)!) / 1000, 9);
      expect(a.goldAnswered).toBe(g.answered);
      expect(a.goldAccuracy).toBeCloseTo(g.correct / g.answered, 12);
      expect(a.flagged).toBe(g.correct / g.answered < 0.9);
    }
    expect(dash.annotators.map((a) => [a.goldAccuracy, a.flagged])).toEqual([[1, false], [0.5, true]]);
  });

  it('the learning curve and the version table match the stored evaluations and promotions', () => {
    const versions = sql<{ id: number; version: number; kind: string; snap: string }>('SELECT id, version, kind, training_snapshot AS snap FROM model_versions ORDER BY version');
    expect(versions.length).toBeGreaterThanOrEqual(3);
    const evals = sql<{ v: number; metrics: string; evalItems: number; trainingLabels: number; stopSet: string }>(
      `SELECT m.version AS v, e.metrics, e.eval_items AS evalItems, e.training_labels AS trainingLabels, e.stop_set AS stopSet FROM evaluations e JOIN model_versions m ON m.id = e.model_version_id
        WHERE e.id IN (SELECT max(id) FROM evaluations GROUP BY model_version_id) ORDER BY m.version`,
    );
    expect(dash.learningCurve.map((p) => p.version)).toEqual(evals.map((e) => e.v));
    for (const [i, e] of evals.entries()) {
      const p = dash.learningCurve[i]!;
      const m = JSON.parse(e.metrics) as { confusion: { counts: number[][] }; intervals: Record<string, { ci: [number, number] }> };
      const cm = m.confusion.counts;
      const n = cm.flat().reduce((s, v) => s + v, 0);
      // accuracy and macro-F1 from the confusion matrix, by hand
      const f1 = cm.map((row, c) => {
        const tp = row[c]!, fn = row.reduce((s, v) => s + v, 0) - tp, fp = cm.reduce((s, r) => s + r[c]!, 0) - tp;
        return 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
      });
      expect(p.accuracy.value).toBeCloseTo(cm.reduce((s, row, c) => s + row[c]!, 0) / n, 12);
      expect(p.macroF1.value).toBeCloseTo(f1.reduce((s, v) => s + v, 0) / f1.length, 12);
      expect(p.accuracy.ci).toEqual(m.intervals.accuracy!.ci);
      expect(p.macroF1.ci![0]).toBeLessThanOrEqual(p.macroF1.value!);
      expect(p.macroF1.ci![1]).toBeGreaterThanOrEqual(p.macroF1.value!);
      expect(p.evalItems).toBe(testIds.size);
      // training labels = pool labels up to the snapshot's last annotation
      const last = (JSON.parse(versions.find((v) => v.version === e.v)!.snap) as { lastAnnotationId: number }).lastAnnotationId;
      const pool = sql<{ n: number }>(`SELECT count(*) AS n FROM annotations a JOIN items i ON i.id = a.item_id WHERE i.split = 'pool' AND a.superseded_at IS NULL AND a.id <= ?`, last)[0]!.n;
      expect(p.trainingLabels).toBe(pool);
    }
    expect(dash.learningCurve.at(-1)!.trainingLabels!).toBeGreaterThan(dash.learningCurve[0]!.trainingLabels!);

    const promotions = sql<{ version: number; decision: string; details: string }>('SELECT m.version, p.decision, p.details FROM promotions p JOIN model_versions m ON m.id = p.challenger_version_id ORDER BY p.id');
    const champion = promotions.filter((p) => p.decision === 'promoted').at(-1)!.version;
    expect(dash.champion).toBe(champion);
    expect(dash.versions.map((v) => v.version)).toEqual(versions.map((v) => v.version).reverse());
    for (const v of dash.versions) {
      const p = promotions.find((x) => x.version === v.version)!;
      expect(v).toMatchObject({ kind: versions.find((x) => x.version === v.version)!.kind, champion: v.version === champion, decision: p.decision, reason: (JSON.parse(p.details) as { reason: string }).reason });
      const point = dash.learningCurve.find((x) => x.version === v.version)!;
      expect(v).toMatchObject({ trainingLabels: point.trainingLabels, accuracy: point.accuracy.value, macroF1: point.macroF1.value, intervals: { accuracy: point.accuracy.ci, macroF1: point.macroF1.ci } });
    }
    expect(dash.versions.filter((v) => v.champion)).toHaveLength(1);
    expect(dash.versions.find((v) => v.version === 1)!.reason).toBe('first model: nothing to beat');
  });

  it("shows the champion's confusion and calibration, and the stopping signal recomputed from the stop sets", () => {
    const e = sql<{ metrics: string; stopSet: string }>(
      `SELECT e.metrics, e.stop_set AS stopSet FROM evaluations e JOIN model_versions m ON m.id = e.model_version_id WHERE m.version = ? ORDER BY e.id DESC LIMIT 1`, dash.champion,
    )[0]!;
    const m = JSON.parse(e.metrics) as { confusion: { counts: number[][] }; ece: { value: number; bins: unknown[] } };
    expect(dash.confusion).toEqual({ version: dash.champion, champion: true, labels: LABELS, counts: m.confusion.counts });
    expect(dash.confusion!.counts.flat().reduce((s, v) => s + v, 0)).toBe(testIds.size);
    const cal = dash.calibration!;
    expect(cal).toMatchObject({ version: dash.champion, champion: true, ece: m.ece.value });
    expect(cal.bins).toHaveLength(15);
    expect(cal.bins.reduce((s, b) => s + b.count, 0)).toBe(testIds.size);
    // ECE = Σ |B|/n · |accuracy − confidence|
    expect(cal.bins.reduce((s, b) => s + (b.count ? (b.count / testIds.size) * Math.abs(b.accuracy! - b.confidence!) : 0), 0)).toBeCloseTo(cal.ece!, 9);

    const stops = sql<{ stopSet: string }>(
      `SELECT e.stop_set AS stopSet FROM evaluations e JOIN model_versions m ON m.id = e.model_version_id WHERE e.id IN (SELECT max(id) FROM evaluations GROUP BY model_version_id) ORDER BY m.version`,
    ).map((r) => JSON.parse(r.stopSet) as { itemIds: number[]; classes: number[] });
    expect(dash.stopping.pairs).toHaveLength(stops.length - 1);
    expect(dash.stopping.threshold).toBe(0.99);
    dash.stopping.pairs.forEach((p, i) => {
      const a = stops[i]!, b = stops[i + 1]!;
      expect(b.itemIds).toEqual(a.itemIds); // the stop set is fixed
      expect(p.items).toBe(a.itemIds.length);
      expect(p.kappa).toBeCloseTo(kappa(a.classes, b.classes)!, 9);
      expect(p.agreement).toBeCloseTo(a.classes.filter((c, j) => c === b.classes[j]).length / a.classes.length, 12);
    });
    const lastMean = dash.stopping.pairs.slice(-3).reduce((s, p) => s + p.kappa!, 0) / 3;
    expect(dash.stopping.stop).toBe(dash.stopping.pairs.length >= 3 && lastMean >= 0.99 - 1e-12);
  });

  it('is served to admins, viewers and reviewers, and the project page draws it', async () => {
    const api = appFor(deps);
    for (const role of ['admin', 'viewer', 'reviewer'] as const) {
      const res = await api.request('GET', '/api/v1/projects/digits/dashboard', { token: tokenFor(deps, role) });
      expect(res.status, role).toBe(200);
      expect(await res.json()).toEqual(dash);
    }
    expect((await api.request('GET', '/api/v1/projects/digits/dashboard', { token: tokenFor(deps, 'annotator') })).status).toBe(403);
    expect((await api.request('GET', '/api/v1/projects/nope/dashboard', { token: tokenFor(deps, 'viewer') })).status).toBe(404);

    const html = await (await api.request('GET', '/projects/digits', { token: tokenFor(deps, 'viewer') })).text();
    const count = (cls: string) => html.split(`class="${cls}"`).length - 1;
    expect(count('cm-cell')).toBe(100);
    expect(count('day')).toBe(60);
    expect(count('lc-point')).toBe(2 * dash.learningCurve.length);
    expect(count('kappa-point')).toBe(dash.stopping.pairs.length);
    expect(count('cal-bin')).toBe(dash.calibration!.bins.filter((b) => b.count > 0).length);
    expect(html.match(/<tr class="champion"/g)).toHaveLength(1);
  });

  it('an empty project has a dashboard too', async () => {
    makeProject(deps, { name: 'empty', labels: ['a', 'b'] });
    const d = projectDashboard(deps, 'empty');
    expect(d).toMatchObject({ completion: { items: 0, complete: 0, rate: null }, annotators: [], learningCurve: [], versions: [], champion: null, confusion: null, calibration: null, stopping: { pairs: [], stop: false } });
    expect(d.labelsPerDay.every((x) => x.task + x.import + x.review === 0)).toBe(true);
    const html = await (await appFor(deps).request('GET', '/projects/empty', { token: tokenFor(deps, 'admin') })).text();
    expect(html).toContain('No model version yet');
    expect(html).toContain('Keep labelling');
  });
});
