import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildDeps } from '../../src/deps.js';
import { importText, jsonl, makeProject, tokenFor } from '../helpers.js';
import { ARTIFACTS, startBrowserStack, type BrowserStack } from './browser.js';

/** What the page callbacks below touch (the tsconfig has no DOM lib; these run in the browser). */
type InPage = { document: { getElementById(id: string): { dataset: Record<string, string | undefined>; getAttribute(name: string): string | null } | null } };

const XSS_SCRIPT = '<script>window.__xss=1</script>';
const XSS_IMG = '<img src=x onerror="window.__xss=2">';
const IMAGE = 'http://127.0.0.1:9/cat.png';
const MISSING = 'http://127.0.0.1:9/missing.png';
const ANNOTATOR = 'ann-e2e';
/** A 1×1 PNG, served for IMAGE by a route (the machine is offline). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

const dir = mkdtempSync(join(tmpdir(), 'quorum-label-'));
const dbPath = join(dir, 'q.db');
let stack: BrowserStack;
let token: string;

beforeAll(async () => {
  const deps = buildDeps(loadConfig({}, { dbPath, logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  makeProject(deps, { name: 'tweets', labels: ['neg', 'neu', 'pos'] });
  await importText(deps, 'tweets', jsonl([
    { id: 'xss-script', text: XSS_SCRIPT },
    { id: 'xss-img', text: XSS_IMG },
    { id: 'plain', text: 'The delivery was late,\nbut the pizza was great.' },
    { id: 'meta-only', meta: { title: 'A cat <b>on</b> a mat', image_url: IMAGE, tags: ['cat', 'mat'] } },
  ]));
  makeProject(deps, { name: 'colours', labels: ['red', 'green', 'blue'], multiLabel: true });
  await importText(deps, 'colours', jsonl([{ id: 'swatch', meta: { caption: 'a swatch', image_url: 'javascript:window.__xss=3', imageUrl: MISSING } }]));
  token = tokenFor(deps, 'annotator', ANNOTATOR);
  await deps.close();
  stack = await startBrowserStack(dbPath, dir);
});

afterAll(() => stack?.close());

/** Waits until the page shows a task other than `prev` (or the "nothing left" state) and is idle. */
async function settled(page: Page, prev: string | undefined): Promise<string | undefined> {
  await page.waitForFunction((p) => {
    const app = (globalThis as unknown as InPage).document.getElementById('app')!;
    return app.getAttribute('aria-busy') === 'false' && (app.dataset.state === 'empty' || (app.dataset.state === 'ready' && app.dataset.taskId !== p));
  }, prev ?? null);
  return page.evaluate(() => (globalThis as unknown as InPage).document.getElementById('app')!.dataset.taskId);
}

const itemId = (page: Page) => page.locator('#item-id').textContent();
/** The submit URL carries ?next=true: match it by path. */
const isSubmit = (url: string | URL) => new URL(url).pathname.endsWith('/annotation');
const xss = (page: Page) => page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss);

function db() {
  return new Database(dbPath, { readonly: true, fileMustExist: true });
}

it('an annotator labels, skips and undoes with the keyboard only; item data is shown literally', async () => {
  const page = await stack.browser.newPage({ viewport: { width: 1100, height: 820 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route(IMAGE, (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PNG }));
  // listening before the page loads: its first tasks/next is counted whenever the browser sends it
  const keys: string[] = [];
  const submitUrls: string[] = [];
  let claims = 0;
  page.on('request', (r) => {
    if (r.method() === 'POST' && isSubmit(r.url())) {
      keys.push(r.headers()['idempotency-key'] ?? '');
      submitUrls.push(r.url());
    }
    if (r.method() === 'GET' && new URL(r.url()).pathname.endsWith('/tasks/next')) claims++;
  });
  await page.goto(`${stack.server.url}/label/tweets`);
  expect(page.url()).toBe(`${stack.server.url}/signin?next=%2Flabel%2Ftweets`);
  await page.fill('input[name=token]', token);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${stack.server.url}/label/tweets`);

  const seen = new Map<string, string>(); // item id → label chosen

  let task = await settled(page, undefined);

  const checkShown = async (id: string) => {
    if (id === 'xss-script' || id === 'xss-img') {
      expect(await page.locator('#item-text').textContent()).toBe(id === 'xss-script' ? XSS_SCRIPT : XSS_IMG);
      expect(await page.locator('#item-text').evaluate((e) => e.children.length)).toBe(0);
    } else if (id === 'meta-only') {
      expect(await page.locator('#item-text').isHidden()).toBe(true);
      const dts = await page.locator('#item-meta dt').allTextContents();
      const dds = await page.locator('#item-meta dd').allTextContents();
      expect(Object.fromEntries(dts.map((k, i) => [k, dds[i]]))).toEqual({ title: 'A cat <b>on</b> a mat', image_url: IMAGE, tags: '["cat","mat"]' });
      expect(await page.locator('#item-meta').evaluate((e) => e.querySelector('b'))).toBeNull();
      expect(await page.locator('#item-image').evaluate((e) => (e as unknown as { src: string }).src)).toBe(IMAGE);
      await expect.poll(() => page.locator('#item-image').evaluate((e) => (e as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);
      expect(await page.locator('#item-image').isVisible()).toBe(true);
    } else {
      expect(await page.locator('#item-text').textContent()).toBe('The delivery was late,\nbut the pizza was great.');
      expect(await page.locator('#item-image').isHidden()).toBe(true);
    }
  };

  // Enter with no label chosen: a message, nothing sent
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator('#msg').textContent()).toContain('Choose a label first');

  // the help overlay
  await page.keyboard.press('?');
  expect(await page.locator('#help').isVisible()).toBe(true);
  expect(await page.locator('#help').textContent()).toContain('undo: change your last submitted label');
  await page.keyboard.press('Escape');
  expect(await page.locator('#help').isHidden()).toBe(true);

  // three labels by number key + Enter (the first one with more keys while it is in flight)
  for (const [n, key] of ['1', '2', '3'].entries()) {
    const id = (await itemId(page))!;
    await checkShown(id);
    if (n === 0) await page.waitForTimeout(300);
    await page.keyboard.press(key);
    expect(await page.locator('#labels .lbl.on').textContent()).toContain(['neg', 'neu', 'pos'][n]);
    if (n === 1) await page.screenshot({ path: join(ARTIFACTS, 'labeling-page.png') });
    if (n === 0) {
      // a slow first submit: a second Enter while it is in flight must not send anything
      await page.route(isSubmit, async (route) => {
        await new Promise((r) => setTimeout(r, 400));
        await route.continue();
      }, { times: 1 });
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => (globalThis as unknown as InPage).document.getElementById('app')!.getAttribute('aria-busy') === 'true');
      expect(await page.locator('#submit').isDisabled()).toBe(true);
      await page.keyboard.press('Enter');
      await page.keyboard.press('2');
      await page.keyboard.press('Enter');
    } else {
      await page.keyboard.press('Enter');
    }
    seen.set(id, ['neg', 'neu', 'pos'][n]!);
    task = await settled(page, task);
    expect(await page.locator('#msg').textContent()).toContain(`Saved: ${['neg', 'neu', 'pos'][n]}`);
  }
  await expect.poll(() => page.locator('#p-today').textContent()).toBe('3');

  // skip the fourth with s: nothing is left
  const skipped = (await itemId(page))!;
  await checkShown(skipped);
  await page.keyboard.press('s');
  task = await settled(page, task);
  expect(await page.evaluate(() => (globalThis as unknown as InPage).document.getElementById('app')!.dataset.state)).toBe('empty');
  expect(await page.locator('#empty').textContent()).toContain('Nothing left to label');

  // u goes back to the last submitted item; 1 + Enter changes its label
  const last = [...seen.keys()][2]!;
  await page.keyboard.press('u');
  task = await settled(page, task);
  expect(await itemId(page)).toBe(last);
  expect(await page.locator('#undo-note').textContent()).toContain('it was pos');
  expect(await page.locator('#labels .lbl.on').textContent()).toContain('pos');
  await page.keyboard.press('1');
  await page.keyboard.press('Enter');
  await settled(page, task);
  seen.set(last, 'neg');
  expect(await page.locator('#msg').textContent()).toContain('Changed to neg');
  expect(await page.evaluate(() => (globalThis as unknown as InPage).document.getElementById('app')!.dataset.state)).toBe('empty');

  expect(new Set([...seen.keys(), skipped])).toEqual(new Set(['xss-script', 'xss-img', 'plain', 'meta-only']));
  expect(await xss(page)).toBeUndefined();
  expect(errors).toEqual([]);
  // one key per submit action (the keys pressed in flight sent nothing), all distinct UUIDs
  expect(keys).toHaveLength(4);
  expect(new Set(keys).size).toBe(4);
  for (const k of keys) expect(k).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // one request per item: each submit's answer carried the next task; tasks/next was asked twice,
  // when the page loaded and after the skip
  for (const u of submitUrls) expect(new URL(u).searchParams.get('next')).toBe('true');
  expect(claims).toBe(2);

  const conn = db();
  try {
    const user = conn.prepare('SELECT id FROM users WHERE name = ?').get(ANNOTATOR) as { id: number };
    const rows = conn.prepare(`SELECT i.external_id AS item, a.value, a.source, a.superseded_at AS superseded, a.duration_ms AS ms
      FROM annotations a JOIN items i ON i.id = a.item_id WHERE a.annotator_id = ? ORDER BY a.id`).all(user.id) as { item: string; value: string; source: string; superseded: number | null; ms: number | null }[];
    const current = rows.filter((r) => r.superseded === null);
    expect(Object.fromEntries(current.map((r) => [r.item, JSON.parse(r.value) as string]))).toEqual(Object.fromEntries(seen));
    expect(current).toHaveLength(3);
    expect(current.every((r) => r.source === 'task' && r.ms !== null)).toBe(true);
    expect(rows.find((r) => r.item === [...seen.keys()][0])!.ms).toBeGreaterThanOrEqual(250);
    const old = rows.filter((r) => r.superseded !== null);
    expect(old.map((r) => [r.item, JSON.parse(r.value) as string])).toEqual([[last, 'pos']]);
    const tasks = conn.prepare(`SELECT i.external_id AS item, t.status FROM tasks t JOIN items i ON i.id = t.item_id WHERE t.annotator_id = ? ORDER BY t.id`).all(user.id) as { item: string; status: string }[];
    expect(tasks.filter((t) => t.status === 'skipped')).toEqual([{ item: skipped, status: 'skipped' }]);
    expect(tasks.filter((t) => t.status === 'done')).toHaveLength(3);
  } finally {
    conn.close();
  }
  expect(statSync(join(ARTIFACTS, 'labeling-page.png')).size).toBeGreaterThan(10_000);
  await page.close();
}, 30_000);

it('a problem+json error (409) is shown without losing the page; a multi-label item takes a set', async () => {
  const page = await stack.browser.newPage({ viewport: { width: 1100, height: 820 } });
  await page.goto(`${stack.server.url}/signin?next=%2Flabel%2Fcolours`);
  await page.fill('input[name=token]', token);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${stack.server.url}/label/colours`);
  let task = await settled(page, undefined);
  expect(await itemId(page)).toBe('swatch');
  // the javascript: image URL is passed over for the next (http) one, which fails to load: a note instead of a broken image
  expect((await page.locator('#item-meta dd').allTextContents()).sort()).toEqual(['a swatch', MISSING, 'javascript:window.__xss=3']);
  expect(await page.locator('#item-image').getAttribute('src')).toBe(MISSING);
  await expect.poll(() => page.locator('#item-image-note').textContent()).toBe(`The image could not be loaded: ${MISSING}`);
  expect(await page.locator('#item-image').isHidden()).toBe(true);

  // the first submit meets a 409: its detail is shown, the item comes back (the server still leases it to us)
  await page.route(isSubmit, (route) =>
    route.fulfill({ status: 409, contentType: 'application/problem+json', body: JSON.stringify({ type: 'x', title: 'Conflict', status: 409, code: 'conflict', detail: 'your lease on task 1 expired (test)' }) }), { times: 1 });
  // (by mouse this time: clicking a label and Submit works too)
  await page.click('#labels .lbl[data-i="1"]');
  expect(await page.locator('#labels .lbl[aria-pressed="true"] .name').allTextContents()).toEqual(['green']);
  await page.click('#submit');
  await expect.poll(() => page.locator('#msg').textContent()).toBe('your lease on task 1 expired (test)');
  expect(await page.locator('#msg').getAttribute('class')).toBe('error');
  await page.waitForFunction(() => (globalThis as unknown as InPage).document.getElementById('app')!.getAttribute('aria-busy') === 'false');
  expect(await itemId(page)).toBe('swatch');

  expect(await page.locator('#labels .lbl.on').count()).toBe(0);
  // toggle: 1 on, 3 on, 2 on, 2 off → red + blue
  for (const k of ['1', '3', '2', '2']) await page.keyboard.press(k);
  expect(await page.locator('#labels .lbl.on .name').allTextContents()).toEqual(['red', 'blue']);
  await page.keyboard.press('Enter');
  task = await settled(page, task);
  expect(await page.locator('#msg').textContent()).toContain('Saved: red + blue');
  expect(await page.evaluate(() => (globalThis as unknown as InPage).document.getElementById('app')!.dataset.state)).toBe('empty');
  expect(await xss(page)).toBeUndefined();

  const conn = db();
  try {
    const rows = conn.prepare(`SELECT a.value FROM annotations a JOIN items i ON i.id = a.item_id JOIN projects p ON p.id = a.project_id
      WHERE p.name = 'colours' AND a.superseded_at IS NULL`).all() as { value: string }[];
    expect(rows.map((r) => JSON.parse(r.value) as string[])).toEqual([['red', 'blue']]);
  } finally {
    conn.close();
  }
  await page.close();
}, 30_000);
