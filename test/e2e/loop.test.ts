/**
 * The loop as users run it: `npm start`'s server (its demo project is the SpamAssassin
 * pool, with the corpus labels on the eval split), two annotators over HTTP — one
 * answers the true label, one is wrong 30% of the time — and the label trigger doing
 * the rest: training, evaluation, promotion, re-scoring, new query batches.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'quorum-loop-'));
const dbPath = join(dir, 'quorum.db');
let child: ChildProcess;
let url = '';
let admin = '';

beforeAll(async () => {
  child = spawn(process.execPath, ['dist/src/main.js'], { cwd: root, env: { ...process.env, QUORUM_DB: dbPath, PORT: '0', QUORUM_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /Quorum is running at (http:\/\/\S+)/.exec(out);
      const a = /admin\s+\S+\s+token (qrm_\S+)/.exec(out);
      if (m && a && /annotator\s+\S+\s+token/.test(out)) {
        clearTimeout(timer);
        url = m[1]!;
        admin = a[1]!;
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
});
afterAll(() => {
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

async function api<T>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (res.status === 204 ? null : await res.json()) as T };
}

async function annotator(name: string): Promise<string> {
  return (await api<{ token: string }>('POST', '/api/v1/users', admin, { name, role: 'annotator' })).body.token;
}

async function waitForIdle(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const jobs = (await api<{ jobs: { type: string; status: string }[] }>('GET', '/api/v1/jobs?limit=20', admin)).body.jobs;
    if (!jobs.some((j) => j.status === 'queued' || j.status === 'running')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('jobs did not finish');
}

describe('the loop closes on SpamAssassin', () => {
  it('labels trigger retrains; the champion improves on the eval split; eval labels never train', async () => {
    const truth = new Map(
      gunzipSync(readFileSync(join(root, 'data', 'datasets', 'spamassassin.jsonl.gz'))).toString('utf8').trim().split('\n')
        .map((l) => JSON.parse(l) as { id: string; label: string })
        .map((r) => [r.id, r.label] as const),
    );
    const set = await api('PATCH', '/api/v1/projects/demo-spam', admin, { settings: { retrainEveryNewLabels: 40, loopBatchSize: 40 } });
    expect(set.status).toBe(200);
    const oracle = await annotator('oracle');
    const noisy = await annotator('noisy');
    const rng = createRng(9);
    const sources: Record<string, number> = {};
    for (let n = 0; n < 200; n++) {
      const who = n % 2 === 0 ? oracle : noisy;
      const task = (await api<{ taskId: number; item: { id: string }; source: string }>('GET', '/api/v1/projects/demo-spam/tasks/next', who)).body;
      sources[task.source] = (sources[task.source] ?? 0) + 1;
      let label = truth.get(task.item.id)!;
      if (who === noisy && rng.next() < 0.3) label = label === 'ham' ? 'spam' : 'ham';
      expect((await api('POST', `/api/v1/tasks/${task.taskId}/annotation`, who, { label })).status).toBe(200);
      // Let each triggered cycle finish, so the next labels come from its batch.
      if (n % 40 === 39) await waitForIdle();
    }
    await waitForIdle();

    const models = (await api<{ models: { version: number; trainingSnapshot: { labelCount: number; annotationIdsHash: string; lastAnnotationId: number } }[] }>('GET', '/api/v1/projects/demo-spam/models', admin)).body.models;
    expect(models.length).toBeGreaterThanOrEqual(4);
    expect(sources.batch ?? 0).toBeGreaterThan(0);
    const evals = (await api<{ evaluations: { modelVersion: number; metrics: { macroF1: { value: number } } }[] }>('GET', '/api/v1/projects/demo-spam/evaluations', admin)).body.evaluations;
    const dash = new Database(dbPath, { readonly: true });
    try {
      const champions = dash.prepare("SELECT v.version FROM promotions p JOIN model_versions v ON v.id = p.challenger_version_id WHERE p.decision = 'promoted' ORDER BY p.id").pluck().all() as number[];
      expect(champions.length).toBeGreaterThanOrEqual(2);
      const f1 = (v: number) => evals.find((e) => e.modelVersion === v)!.metrics.macroF1.value;
      expect(f1(champions.at(-1)!)).toBeGreaterThan(f1(champions[0]!));
      expect(f1(champions.at(-1)!)).toBeGreaterThan(0.8);
      // Every version's snapshot is exactly the pool annotations up to its last id: the 1,210 eval labels never count.
      for (const v of models) {
        const ids = dash.prepare("SELECT a.id FROM annotations a JOIN items i ON i.id = a.item_id WHERE i.split = 'pool' AND a.superseded_at IS NULL AND a.id <= ? ORDER BY a.id").pluck().all(v.trainingSnapshot.lastAnnotationId) as number[];
        expect(createHash('sha256').update(ids.join(',')).digest('hex')).toBe(v.trainingSnapshot.annotationIdsHash);
        expect(v.trainingSnapshot.labelCount).toBe(ids.length);
      }
      const evalLabels = dash.prepare("SELECT count(*) FROM annotations a JOIN items i ON i.id = a.item_id WHERE i.split = 'eval'").pluck().get() as number;
      expect(evalLabels).toBeGreaterThanOrEqual(1210);
    } finally {
      dash.close();
    }
  }, 240_000);
});
