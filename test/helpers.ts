import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config/index.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { createProject, type CreateProjectInput } from '../src/modules/projects/index.js';
import { createUser } from '../src/modules/users/index.js';
import { importItems, type ImportOptions, type ImportSummary } from '../src/modules/items/index.js';
import type { Role } from '../src/core/labels.js';

export interface TestContext {
  dir: string;
  deps: Deps;
  close(): Promise<void>;
}

/** A fresh, migrated SQLite file in its own temporary folder. */
export function makeTestDeps(overrides: Partial<Config> = {}): TestContext {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-test-'));
  const config = loadConfig({}, { dbPath: join(dir, 'quorum.db'), tmpDir: join(dir, 'tmp'), logLevel: 'silent', ...overrides });
  const deps = buildDeps(config, { logger: pino({ level: 'silent' }) });
  return {
    dir,
    deps,
    async close() {
      await deps.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function makeProject(deps: Deps, input: Partial<CreateProjectInput> = {}) {
  return createProject(deps, { name: 'p1', labels: ['a', 'b', 'c'], ...input });
}

export function tokenFor(deps: Deps, role: Role, name = `${role}-${Math.random().toString(36).slice(2, 8)}`): string {
  return createUser(deps, { name, role }).token;
}

export function jsonl(records: unknown[]): string {
  return records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
}

/** Imports from an in-memory string or buffer, with the defaults a CLI user gets. */
export function importText(deps: Deps, project: string | number, content: string | Buffer, opts: Partial<ImportOptions> = {}): Promise<ImportSummary> {
  return importItems(deps, {
    project,
    source: Readable.from([Buffer.isBuffer(content) ? content : Buffer.from(content)]),
    sourceName: 'input.jsonl',
    format: 'jsonl',
    split: 'pool',
    labelSource: 'imported',
    onError: 'abort',
    upsert: false,
    maxLineBytes: deps.config.maxLineBytes,
    ...opts,
  });
}

/** Every table's row count: "the database is unchanged" compares these. */
export function tableCounts(deps: Deps): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of ['projects', 'users', 'items', 'annotations', 'import_changes']) {
    out[t] = (deps.db.$client.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  }
  return out;
}

export function appFor(deps: Deps) {
  const app = createApp(deps);
  return {
    app,
    request(method: string, path: string, opts: { token?: string; body?: unknown; raw?: RequestInit['body']; headers?: Record<string, string> } = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: RequestInit['body'] | undefined = opts.raw;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      return app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    },
  };
}

export async function waitForJob(deps: Deps, id: number) {
  for (let i = 0; i < 600; i++) {
    const job = deps.runner.get(id);
    if (job.status !== 'queued' && job.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`job ${id} did not finish`);
}
