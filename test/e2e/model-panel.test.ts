/**
 * The project page's charts in Chromium: a digits project that three annotators
 * labelled over six days while the loop trained, evaluated and promoted. Counts
 * of bars, points and cells are checked against the dashboard the server computes
 * from the same database, and the page is saved as a screenshot.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildDeps } from '../../src/deps.js';
import { projectDashboard, type Dashboard } from '../../src/modules/evaluation/index.js';
import { updateSettings } from '../../src/modules/projects/index.js';
import { claimNextTask, submitAnnotation } from '../../src/modules/queue/index.js';
import { authenticate, createUser } from '../../src/modules/users/index.js';
import { importText, jsonl, makeProject, tokenFor } from '../helpers.js';
import { ARTIFACTS, startBrowserStack, type BrowserStack } from './browser.js';

interface Row { id: string; features: number[]; label: string }
const rows = gunzipSync(readFileSync(new URL('../fixtures/datasets/digits.jsonl.gz', import.meta.url))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
const testIds = new Set(JSON.parse(readFileSync(new URL('../fixtures/datasets/digits.test_ids.json', import.meta.url), 'utf8')) as string[]);
const DAY = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), 'quorum-model-panel-'));
let stack: BrowserStack;
let admin: string;
let expected: Dashboard;

beforeAll(async () => {
  // labels over the last six days: the server's own clock puts them in its 60-day window
  const start = Date.now() - 5 * DAY;
  let now = start;
  const deps = buildDeps(loadConfig({}, { dbPath: join(dir, 'q.db'), logLevel: 'silent' }), { clock: { now: () => now }, logger: pino({ level: 'silent' }) });
  // As the server does: the label trigger is armed.
  deps.startLoop();
  makeProject(deps, { name: 'digits', description: 'Handwritten digits, 8×8 pixels', labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
  // a low stop threshold, so the page shows the signal switched on
  updateSettings(deps, 'digits', { retrainEveryNewLabels: 60, loopBatchSize: 60, goldRate: 0.1, goldMinAnswers: 3, stopThreshold: 0.5 });
  const train = rows.filter((r) => !testIds.has(r.id));
  const gold = new Set(train.slice(0, 24).map((r) => r.id));
  await importText(deps, 'digits', jsonl(train.slice(0, 24)), { split: 'gold' });
  await importText(deps, 'digits', jsonl(train.slice(24).map(({ label: _l, ...r }) => r)));
  await importText(deps, 'digits', jsonl(rows.filter((r) => testIds.has(r.id))), { split: 'eval' });
  const truth = new Map(rows.map((r) => [r.id, r.label]));
  const people = [
    { name: 'ann', base: 1800, wrongEvery: 0 },
    { name: 'bob', base: 4200, wrongEvery: 2 },
    { name: 'cy', base: 2600, wrongEvery: 7 },
  ].map((p) => ({ ...p, user: authenticate(deps, createUser(deps, { name: p.name, role: 'annotator' }).token), n: 0, golds: 0 }));
  for (let day = 0; day < 6; day++) {
    now = start + day * DAY;
    for (let k = 0; k < 60 + 12 * (day % 2); k++) {
      const who = people[k % 5 === 4 ? 1 : k % 5 === 3 ? 2 : 0]!;
      const task = claimNextTask(deps, 'digits', who.user)!;
      const right = truth.get(task.item.id)!;
      const isGold = gold.has(task.item.id);
      const wrong = who.wrongEvery > 0 && (isGold ? who.golds++ % who.wrongEvery === 0 : who.n % who.wrongEvery === 0);
      submitAnnotation(deps, task.taskId, who.user, { label: wrong ? String((Number(right) + 3) % 10) : right, durationMs: who.base + ((who.n * 331) % 1700) }, null);
      who.n++;
      await deps.runner.idle();
    }
  }
  now = Date.now();
  expected = projectDashboard(deps, 'digits');
  admin = tokenFor(deps, 'admin', 'chart-admin');
  await deps.close();
  stack = await startBrowserStack(join(dir, 'q.db'), dir);
}, 120_000);

afterAll(() => stack?.close());

it('the project page draws the progress and model charts from the dashboard', async () => {
  expect(expected.versions.length).toBeGreaterThanOrEqual(3);
  const page = await stack.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${stack.server.url}/signin?token=${encodeURIComponent(admin)}&next=${encodeURIComponent('/projects/digits')}`);
  await page.waitForURL(`${stack.server.url}/projects/digits`);
  await page.waitForSelector('svg#learning-curve-chart');

  // the server's JSON is the same dashboard the page was drawn from
  const api = await page.request.get(`${stack.server.url}/api/v1/projects/digits/dashboard`, { headers: { authorization: `Bearer ${admin}` } });
  const served = (await api.json()) as Dashboard;
  expect(served.versions).toEqual(expected.versions);
  expect(served.stopping).toEqual(expected.stopping);

  const count = (selector: string) => page.locator(selector).count();
  expect(await count('#completion-chart .completion-fill')).toBe(1);
  expect(await count('#labels-per-day-chart g.day')).toBe(60);
  const busyDays = expected.labelsPerDay.filter((d) => d.task + d.import + d.review > 0).length;
  expect(busyDays).toBeGreaterThanOrEqual(5);
  expect(await count('#labels-per-day-chart g.day:not([data-total="0"])')).toBe(busyDays);
  expect(await count('#annotator-annotations-chart rect.ann-bar')).toBe(3);
  expect(await count('#annotator-seconds-chart rect.ann-bar')).toBe(3);
  expect(await count('#annotator-gold-chart rect.ann-bar')).toBe(expected.annotators.filter((a) => a.goldAccuracy !== null).length);

  expect(await count('#learning-curve-chart .lc-point')).toBe(2 * expected.learningCurve.length);
  expect(await count('#learning-curve-chart .lc-whisker')).toBe(2 * expected.learningCurve.length);
  expect(await count('#learning-curve-chart polygon.lc-band')).toBe(2);
  expect(await count('#learning-curve-chart .lc-champion')).toBe(1);
  expect(await count('#versions tbody tr')).toBe(expected.versions.length);
  expect(await page.locator('#versions tr.champion').getAttribute('data-version')).toBe(String(expected.champion));

  expect(await count('#confusion-chart rect.cm-cell')).toBe(100);
  const diagonal = await page.locator('#confusion-chart rect.cm-cell[data-true="3"][data-pred="3"]').getAttribute('data-count');
  expect(Number(diagonal)).toBe(expected.confusion!.counts[3]![3]);
  expect(await count('#calibration-chart rect.cal-bin')).toBe(expected.calibration!.bins.filter((b) => b.count > 0).length);
  expect(await count('#calibration-chart .cal-diagonal')).toBe(1);

  expect(await count('#stopping-chart circle.kappa-point')).toBe(expected.stopping.pairs.length);
  expect(await count('#stopping-chart .stop-threshold')).toBe(1);
  expect(await page.locator('.stop-state').getAttribute('data-stop')).toBe(String(expected.stopping.stop));

  // every chart is an image with an accessible name, and none is wider than its section
  for (const name of ['Completion rate', 'Labels per day', 'Learning curve', 'Gold accuracy', 'Stopping signal: stabilizing predictions']) {
    await expect(page.getByRole('img', { name, exact: true }).count()).resolves.toBe(1);
  }
  await expect(page.getByRole('img', { name: /^Confusion matrix of champion v\d+$/ }).count()).resolves.toBe(1);
  await expect(page.getByRole('img', { name: /^Calibration of champion v\d+ \(ECE 0\.\d{3}\)$/ }).count()).resolves.toBe(1);
  const overflow = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ id: string; closest(s: string): { getBoundingClientRect(): { right: number } }; getBoundingClientRect(): { right: number } }> } }).document;
    return Array.from(doc.querySelectorAll('figure.chart svg')).filter((s) => s.getBoundingClientRect().right > s.closest('section').getBoundingClientRect().right + 1).map((s) => s.id);
  });
  expect(overflow).toEqual([]);

  const shot = join(ARTIFACTS, 'model-panel.png');
  await page.screenshot({ path: shot, fullPage: true });
  expect(statSync(shot).size).toBeGreaterThan(50_000);
  await page.locator('#model').screenshot({ path: join(ARTIFACTS, 'model-panel-model.png') });
});
