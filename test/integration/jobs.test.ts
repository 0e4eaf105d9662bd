import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobRunner } from '../../src/modules/jobs/index.js';
import { registerImportJob } from '../../src/modules/items/index.js';
import { jsonl, makeProject, makeTestDeps, tableCounts, waitForJob, type TestContext } from '../helpers.js';

let t: TestContext;
beforeEach(() => {
  t = makeTestDeps();
  makeProject(t.deps);
});
afterEach(() => t.close());

function bigFile(n: number): string {
  const file = join(t.dir, `big-${n}.jsonl`);
  writeFileSync(file, jsonl(Array.from({ length: n }, (_, i) => ({ id: `i${i}`, text: `text ${i}`, label: 'a' }))));
  return file;
}

const importParams = (file: string) => ({
  project: 1, file, sourceName: 'big.jsonl', format: 'jsonl', split: 'pool', labelSource: 'imported', onError: 'abort', upsert: false,
});

describe('job runner', () => {
  it('runs a queued job and records progress, timestamps and result', async () => {
    const job = t.deps.runner.enqueue('import', 1, importParams(bigFile(10)));
    expect(job.status).toBe('queued');
    const done = await waitForJob(t.deps, job.id);
    expect(done).toMatchObject({ status: 'succeeded', error: null, result: { inserted: 10 } });
    expect(done.progress.done).toBe(done.progress.total);
    expect(done.progress.unit).toBe('bytes');
    expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(done.startedAt!));
  });

  it('cancelling a running import stops it and leaves nothing visible', async () => {
    const before = tableCounts(t.deps);
    const job = t.deps.runner.enqueue('import', 1, importParams(bigFile(60_000)));
    for (let i = 0; i < 500 && t.deps.runner.get(job.id).progress.done === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(t.deps.runner.get(job.id).status).toBe('running');
    t.deps.runner.cancel(job.id);
    const done = await waitForJob(t.deps, job.id);
    expect(done.status).toBe('cancelled');
    expect(done.error).toBe(`job ${job.id} was cancelled`);
    expect(tableCounts(t.deps)).toEqual(before);
  });

  it('a cancel requested through the database (another process) reaches the runner at its heartbeat', async () => {
    // big enough to be still running at the first heartbeat (2 s): 150,000 lines now import in less
    const job = t.deps.runner.enqueue('import', 1, importParams(bigFile(400_000)));
    for (let i = 0; i < 500 && t.deps.runner.get(job.id).progress.done === 0; i++) await new Promise((r) => setTimeout(r, 5));
    t.deps.db.$client.prepare('UPDATE jobs SET cancel_requested = 1 WHERE id = ?').run(job.id);
    const done = await waitForJob(t.deps, job.id);
    expect(done.status).toBe('cancelled');
    expect(tableCounts(t.deps).items).toBe(0);
  });

  it('a job whose process died is failed at the next start, and its staged rows are removed', async () => {
    // a real, finished process id: certainly not alive any more
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const { importItems } = await import('../../src/modules/items/index.js');
    const { Readable } = await import('node:stream');
    const row = t.deps.db.$client
      .prepare(`INSERT INTO jobs (type, project_id, status, params, runner_pid, runner_host, heartbeat_at, created_at, started_at) VALUES ('import', 1, 'running', ?, ?, ?, ?, ?, ?) RETURNING id`)
      .get(JSON.stringify(importParams('/nonexistent')), Number(dead), hostname(), Date.now(), Date.now(), Date.now()) as { id: number };
    // simulate the staged rows of the dead import: an import that never commits because its source never ends
    const controller = new AbortController();
    const never = new Readable({ read() {} });
    const pending = importItems(t.deps, {
      project: 1, source: never, sourceName: 'x', format: 'jsonl', split: 'pool', labelSource: 'imported', onError: 'abort', upsert: false,
      maxLineBytes: 1 << 20, jobId: row.id, signal: controller.signal,
    });
    never.push(jsonl(Array.from({ length: 2500 }, (_, i) => ({ id: `s${i}`, text: 'x' }))));
    for (let i = 0; i < 200 && tableCounts(t.deps).items === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(tableCounts(t.deps).items).toBeGreaterThan(0);

    const fresh = new JobRunner({ db: t.deps.db, clock: t.deps.clock });
    registerImportJob(fresh, { db: t.deps.db, clock: t.deps.clock, maxLineBytes: 1 << 20, importWorkers: 0 });
    const abandoned = fresh.recoverAbandoned();
    expect(abandoned.map((j) => j.id)).toEqual([row.id]);
    expect(fresh.get(row.id)).toMatchObject({ status: 'failed', error: 'the process running this job stopped' });
    expect(tableCounts(t.deps).items).toBe(0);
    expect(t.deps.db.$client.prepare(`SELECT state FROM imports WHERE job_id = ?`).get(row.id)).toEqual({ state: 'failed' });
    never.push(null);
    controller.abort();
    await pending.catch(() => undefined);
  });

  it('a process recovers only the jobs of the types it knows; the others wait for one that knows them', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const row = t.deps.db.$client
      .prepare(`INSERT INTO jobs (type, status, params, runner_pid, runner_host, created_at) VALUES ('scoring', 'running', '{}', ?, ?, ?) RETURNING id`)
      .get(Number(dead), hostname(), Date.now()) as { id: number };
    const importOnly = new JobRunner({ db: t.deps.db, clock: t.deps.clock });
    importOnly.register('import', { run: async () => ({}) });
    expect(importOnly.recoverAbandoned()).toEqual([]);
    expect(importOnly.get(row.id).status).toBe('running');
    const cleaned: number[] = [];
    const knowsScoring = new JobRunner({ db: t.deps.db, clock: t.deps.clock });
    knowsScoring.register('scoring', { run: async () => ({}), cleanupAbandoned: (job) => void cleaned.push(job.id) });
    expect(knowsScoring.recoverAbandoned().map((j) => j.id)).toEqual([row.id]);
    expect(knowsScoring.get(row.id).status).toBe('failed');
    expect(cleaned).toEqual([row.id]);
  });

  it('jobs of a live process on this host are left alone', () => {
    const row = t.deps.db.$client
      .prepare(`INSERT INTO jobs (type, status, params, runner_pid, runner_host, created_at) VALUES ('import', 'running', '{}', ?, ?, ?) RETURNING id`)
      .get(process.ppid, hostname(), Date.now()) as { id: number };
    const fresh = new JobRunner({ db: t.deps.db, clock: t.deps.clock });
    fresh.register('import', { run: async () => ({}) });
    expect(fresh.recoverAbandoned()).toEqual([]);
    expect(fresh.get(row.id).status).toBe('running');
  });
});
