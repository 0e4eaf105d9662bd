/**
 * The crash test: a CLI import is killed with SIGKILL half-way. Its staged rows
 * must never be visible, and the next start of any quorum command marks the job
 * failed and deletes what it staged. Importing the file again then works.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin', 'quorum.js');
const LINES = 200_000;

let dir: string;
let db: string;
let data: string;

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  delete e.QUORUM_DB;
  delete e.DATABASE_URL;
  return e;
}

function quorum(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, '--db', db, ...args], { cwd: ROOT, env: env(), encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function quorumJson<T>(args: string[]): T {
  const r = quorum(['--json', ...args]);
  expect(r.code, `quorum ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Items a reader of the product would see: those whose import committed (src/db/visibility.ts). */
function visibleItems(conn: Database.Database): number {
  const sql = `SELECT count(*) AS n FROM items WHERE coalesce(import_id, 0) NOT IN (SELECT id FROM imports WHERE state <> 'committed')`;
  return (conn.prepare(sql).get() as { n: number }).n;
}

interface Counts {
  status: string | undefined;
  progress: number | undefined;
  items: number;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'quorum-kill-'));
  db = join(dir, 'q.db');
  data = join(dir, 'big.jsonl');
  const lines: string[] = new Array<string>(LINES);
  for (let n = 0; n < LINES; n++) {
    lines[n] = `{"id":"i${n}","text":"t${n}","features":[${n % 10},${(n * 7) % 13},0.5,-1,${n % 3},2,3,${(n % 100) / 4}]}`;
  }
  writeFileSync(data, lines.join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an import killed with SIGKILL', () => {
  it('leaves nothing visible, is marked failed at the next start, and the file imports again', { timeout: 90_000 }, async () => {
    const size = statSync(data).size;
    expect(size).toBeGreaterThan(5_000_000);
    const project = quorumJson<{ id: number }>(['project', 'create', 'P', '--labels', 'a,b']);

    const child = spawn(process.execPath, [BIN, '--db', db, 'import', 'P', data], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let childStderr = '';
    child.stderr.on('data', (c: Buffer) => (childStderr += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));

    // Poll the database (read-only) until the job runs and has staged rows.
    let reader: Database.Database | undefined;
    let seen: Counts = { status: undefined, progress: undefined, items: 0 };
    const deadline = Date.now() + 30_000;
    try {
      while (Date.now() < deadline && child.exitCode === null) {
        try {
          reader ??= new Database(db, { readonly: true, fileMustExist: true });
          const job = reader.prepare('SELECT status, progress_done AS progress FROM jobs ORDER BY id DESC LIMIT 1').get() as
            | { status: string; progress: number }
            | undefined;
          const items = (reader.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n;
          seen = { status: job?.status, progress: job?.progress, items };
          if (seen.status === 'running' && items > 0) break;
        } catch {
          // the database may be locked or not in WAL mode yet: try again
        }
        await sleep(5);
      }
      expect(child.exitCode, `the import finished before it could be killed: ${childStderr}`).toBeNull();
      expect(seen.status).toBe('running');
      expect(seen.items).toBeGreaterThan(0);
      child.kill('SIGKILL');
      expect(await exited).toEqual({ code: null, signal: 'SIGKILL' });

      // Straight after the crash: the job still says running, its rows are staged and invisible.
      const staged = (reader!.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n;
      expect(staged).toBeGreaterThan(0);
      expect(staged).toBeLessThan(LINES);
      expect(visibleItems(reader!)).toBe(0);
      expect(reader!.prepare('SELECT status, runner_pid AS pid FROM jobs').all()).toEqual([{ status: 'running', pid: child.pid }]);
      expect(reader!.prepare('SELECT state FROM imports').all()).toEqual([{ state: 'staging' }]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reader?.close();
    }

    // The next command (any command) recovers: the job is failed, its staged rows are gone.
    const jobs = quorumJson<{ id: number; type: string; status: string; error: string | null; projectId: number }[]>(['jobs']);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ type: 'import', projectId: project.id, status: 'failed' });
    expect(jobs[0]!.error).toMatch(/process .*stopped/);
    expect(jobs[0]!.error).toBe('the process running this job stopped');

    const check = new Database(db, { readonly: true, fileMustExist: true });
    try {
      const count = (sql: string) => (check.prepare(sql).get() as { n: number }).n;
      expect(count('SELECT count(*) AS n FROM items')).toBe(0);
      expect(count('SELECT count(*) AS n FROM annotations')).toBe(0);
      expect(count('SELECT count(*) AS n FROM import_changes')).toBe(0);
      expect(count(`SELECT count(*) AS n FROM imports WHERE state = 'staging'`)).toBe(0);
      expect(check.prepare('SELECT state FROM imports').all()).toEqual([{ state: 'failed' }]);
      expect(check.prepare('SELECT status, error FROM jobs').all()).toEqual([{ status: 'failed', error: 'the process running this job stopped' }]);
      expect(count('SELECT count(*) AS n FROM projects WHERE feature_dim IS NOT NULL')).toBe(0);
    } finally {
      check.close();
    }
    const shown = quorumJson<{ counts: { items: number; annotations: number }; featureDim: number | null }>(['project', 'show', 'P']);
    expect(shown.counts.items).toBe(0);
    expect(shown.counts.annotations).toBe(0);
    expect(shown.featureDim).toBeNull();

    // A second recovery has nothing left to do.
    expect(quorumJson<{ status: string }[]>(['jobs']).map((j) => j.status)).toEqual(['failed']);

    // The same file imports fully.
    const summary = quorumJson<{ records: number; inserted: number; rejected: number; featureDim: number; jobId: number }>(['import', 'P', data]);
    expect(summary).toMatchObject({ records: LINES, inserted: LINES, rejected: 0, featureDim: 8 });
    const after = quorumJson<{ counts: { items: number; pool: number }; featureDim: number }>(['project', 'show', 'P']);
    expect(after.counts.items).toBe(LINES);
    expect(after.counts.pool).toBe(LINES);
    expect(after.featureDim).toBe(8);
    const jobsAfter = quorumJson<{ id: number; status: string }[]>(['jobs']);
    expect(jobsAfter.map((j) => [j.id, j.status])).toEqual([
      [summary.jobId, 'succeeded'],
      [jobs[0]!.id, 'failed'],
    ]);
    const final = new Database(db, { readonly: true, fileMustExist: true });
    try {
      expect(visibleItems(final)).toBe(LINES);
      expect(final.prepare(`SELECT id, external_id AS id2, text FROM items WHERE external_id IN ('i0', 'i199999') ORDER BY id`).all()).toMatchObject([
        { id2: 'i0', text: 't0' },
        { id2: 'i199999', text: 't199999' },
      ]);
    } finally {
      final.close();
    }
  });
});
