import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildDeps } from '../../src/deps.js';
import { importText, jsonl, makeProject, tokenFor } from '../helpers.js';
import { ARTIFACTS, startBrowserStack, type BrowserStack } from './browser.js';

const dir = mkdtempSync(join(tmpdir(), 'quorum-page-'));
let stack: BrowserStack;
let admin: string;

beforeAll(async () => {
  const deps = buildDeps(loadConfig({}, { dbPath: join(dir, 'q.db'), logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  makeProject(deps, { name: 'reviews', labels: ['neg', 'neu', 'pos'], scale: 'ordinal' });
  const names = ['ann', 'bob', 'cy', '<img src=x onerror="window.__xss=1">'];
  const labels = ['neg', 'neu', 'pos'];
  await importText(deps, 'reviews', jsonl(Array.from({ length: 60 }, (_, i) => ({
    id: `r${i}`,
    text: `review ${i}`,
    annotations: names.map((annotator, a) => ({ annotator, label: labels[(i + (a === 3 && i % 3 === 0 ? 1 : 0) + (a === 2 && i % 5 === 0 ? 2 : 0)) % 3]! })),
  }))));
  admin = tokenFor(deps, 'admin', 'page-admin');
  await deps.close();
  stack = await startBrowserStack(join(dir, 'q.db'), dir);
});

afterAll(() => stack?.close());

it('an admin signs in and sees the agreement heat map on the project page', async () => {
  const page = await stack.browser.newPage({ viewport: { width: 1100, height: 1300 } });
  await page.goto(`${stack.server.url}/projects/reviews`);
  expect(page.url()).toBe(`${stack.server.url}/signin?next=%2Fprojects%2Freviews`);
  await page.fill('input[name=token]', admin);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${stack.server.url}/projects/reviews`);
  await page.waitForSelector('svg.heatmap');
  expect(await page.locator('svg.heatmap rect').count()).toBe(16);
  expect(await page.locator('#agreement table').first().locator('tbody tr').count()).toBe(6);
  expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.locator('svg.heatmap text', { hasText: '<img src=x' }).count()).toBeGreaterThan(0);
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === 'quorum_token')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  const shot = join(ARTIFACTS, 'project-page.png');
  await page.screenshot({ path: shot, fullPage: true });
  expect(statSync(shot).size).toBeGreaterThan(10_000);
});
