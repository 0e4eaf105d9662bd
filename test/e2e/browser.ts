import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');

/** Debian's Chromium, headless, with the flags this sandboxed, offline machine needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** `quorum serve` on a free port of 127.0.0.1; resolves with its URL. */
export function startServer(dbPath: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['bin/quorum.js', '--db', dbPath, '--json', 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, QUORUM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        const { url } = JSON.parse(out) as { url: string };
        clearTimeout(timer);
        resolve({ url, child });
      } catch {
        /* wait for the whole JSON */
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

export interface BrowserStack {
  server: { url: string; child: ChildProcess };
  browser: Browser;
  close(): Promise<void>;
}

/** The real server on `dbPath` and a Chromium; `close` stops both and removes `dir` (the test's temporary folder). */
export async function startBrowserStack(dbPath: string, dir: string): Promise<BrowserStack> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await startServer(dbPath);
  const browser = await launchChromium();
  return {
    server,
    browser,
    async close() {
      await browser.close();
      server.child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
