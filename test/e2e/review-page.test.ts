import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildDeps } from '../../src/deps.js';
import { claimNextTask, submitAnnotation } from '../../src/modules/queue/index.js';
import { authenticate } from '../../src/modules/users/index.js';
import { importText, jsonl, makeProject, tokenFor } from '../helpers.js';
import { ARTIFACTS, startBrowserStack, type BrowserStack } from './browser.js';

/** What the page callbacks below touch (the tsconfig has no DOM lib; these run in the browser). */
type InPage = { document: { getElementById(id: string): { dataset: Record<string, string | undefined>; getAttribute(name: string): string | null } | null } };

const XSS = '<script>window.__xss=1</script> WIN A PRIZE';
/** Each annotator's label per item: d1 and d3 are disputed, d2 is agreed. */
const VOTES: Record<string, [string, string]> = { d1: ['spam', 'ham'], d2: ['ham', 'ham'], d3: ['ham', 'unsure'] };

const dir = mkdtempSync(join(tmpdir(), 'quorum-review-'));
const dbPath = join(dir, 'q.db');
let stack: BrowserStack;
let reviewer: string;

beforeAll(async () => {
  const deps = buildDeps(loadConfig({}, { dbPath, logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  makeProject(deps, { name: 'inbox', labels: ['spam', 'ham', 'unsure'], settings: { overlap: 2 } });
  await importText(deps, 'inbox', jsonl([
    { id: 'd1', text: XSS },
    { id: 'd2', text: 'Lunch at noon?' },
    { id: 'd3', text: 'Your invoice is attached' },
  ]));
  // two annotators label every item through the queue; they disagree on d1 and d3
  for (const [who, name] of ['ann-a', 'ann-b'].entries()) {
    const user = authenticate(deps, tokenFor(deps, 'annotator', name));
    for (let task = claimNextTask(deps, 'inbox', user); task; task = claimNextTask(deps, 'inbox', user)) {
      submitAnnotation(deps, task.taskId, user, { label: VOTES[task.item.id]![who]! }, `k-${name}-${task.taskId}`);
    }
  }
  const open = deps.db.$client.prepare(`SELECT count(*) AS n FROM reviews WHERE status = 'open'`).get() as { n: number };
  expect(open.n).toBe(2);
  reviewer = tokenFor(deps, 'reviewer', 'rev-e2e');
  await deps.close();
  stack = await startBrowserStack(dbPath, dir);
});

afterAll(() => stack?.close());

async function settled(page: Page, prev: string | undefined): Promise<void> {
  await page.waitForFunction((p) => {
    const app = (globalThis as unknown as InPage).document.getElementById('app')!;
    return app.getAttribute('aria-busy') === 'false' && (app.dataset.state === 'empty' || (app.dataset.state === 'ready' && app.dataset.reviewId !== p));
  }, prev ?? null);
}

const reviewId = (page: Page) => page.evaluate(() => (globalThis as unknown as InPage).document.getElementById('app')!.dataset.reviewId);

it('a reviewer resolves disputed items with the keyboard, one after the other', async () => {
  const page = await stack.browser.newPage({ viewport: { width: 1100, height: 760 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${stack.server.url}/review/inbox`);
  expect(page.url()).toBe(`${stack.server.url}/signin?next=%2Freview%2Finbox`);
  await page.fill('input[name=token]', reviewer);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${stack.server.url}/review/inbox`);
  await settled(page, undefined);

  const resolved = new Map<string, string>();
  const choice: Record<string, [string, string]> = { d1: ['3', 'unsure'], d3: ['2', 'ham'] };
  for (let round = 0; round < 2; round++) {
    const id = (await page.locator('#item-id').textContent())!;
    expect(Object.keys(choice)).toContain(id);
    expect(resolved.has(id)).toBe(false);
    const [a, b] = VOTES[id]!;
    expect(await page.locator('#votes li').allTextContents()).toEqual([`Annotator A${a}`, `Annotator B${b}`]);
    if (id === 'd1') {
      expect(await page.locator('#item-text').textContent()).toBe(XSS);
      // the badges on the label buttons say who chose what
      expect(await page.locator('#labels .lbl[data-i="0"] .votes-on').textContent()).toBe('A');
      expect(await page.locator('#labels .lbl[data-i="1"] .votes-on').textContent()).toBe('B');
      expect(await page.locator('#labels .lbl[data-i="2"] .votes-on').count()).toBe(0);
    }
    // Enter with nothing chosen does nothing but say so
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#msg').textContent()).toContain('Choose a label first');
    const [key, label] = choice[id]!;
    await page.keyboard.press('1');
    await page.keyboard.press(key);
    expect(await page.locator('#labels .lbl.on .name').allTextContents()).toEqual([label]);
    if (round === 0) await page.screenshot({ path: join(ARTIFACTS, 'review-page.png') });
    const before = await reviewId(page);
    await page.keyboard.press('Enter');
    await settled(page, before);
    expect(await page.locator('#msg').textContent()).toBe(`Resolved item ${id} as ${label}.`);
    resolved.set(id, label);
  }
  expect(await page.evaluate(() => (globalThis as unknown as InPage).document.getElementById('app')!.dataset.state)).toBe('empty');
  expect(await page.locator('#empty').textContent()).toContain('Nothing to review');
  expect(await page.locator('#r-count').textContent()).toBe('2');
  expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(errors).toEqual([]);

  const conn = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = conn.prepare(`SELECT i.external_id AS item, a.value, u.name AS who FROM annotations a JOIN items i ON i.id = a.item_id JOIN users u ON u.id = a.annotator_id
      WHERE a.source = 'review' AND a.superseded_at IS NULL ORDER BY i.external_id`).all() as { item: string; value: string; who: string }[];
    expect(rows.map((r) => [r.item, JSON.parse(r.value) as string, r.who])).toEqual([['d1', 'unsure', 'rev-e2e'], ['d3', 'ham', 'rev-e2e']]);
    const reviews = conn.prepare(`SELECT i.external_id AS item, r.status FROM reviews r JOIN items i ON i.id = r.item_id ORDER BY i.external_id`).all();
    expect(reviews).toEqual([{ item: 'd1', status: 'resolved' }, { item: 'd3', status: 'resolved' }]);
  } finally {
    conn.close();
  }
  expect(statSync(join(ARTIFACTS, 'review-page.png')).size).toBeGreaterThan(10_000);
  await page.close();
}, 30_000);
