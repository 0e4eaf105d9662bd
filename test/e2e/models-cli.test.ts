/**
 * `quorum train`, `score`, `model add|list`, `export --predictions` and `doctor` as a
 * user runs them: the built CLI in a child process on a temporary database.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLinearSoftmaxOnnx } from '../fixtures/onnx/build-onnx.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin', 'quorum.js');
const DIGITS = join(ROOT, 'test', 'fixtures', 'datasets', 'digits.jsonl.gz');

let dir: string;
let db: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'quorum-models-cli-'));
  db = join(dir, 'q.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function quorum(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.QUORUM_DB;
  return new Promise((done) => {
    execFile(process.execPath, [BIN, '--db', db, ...args], { cwd: ROOT, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('model commands', () => {
  it('train → score → list → export --predictions on an embedding project, with --json', async () => {
    expect((await quorum(['project', 'create', 'digits', '--labels', '0,1,2,3,4,5,6,7,8,9'])).code).toBe(0);
    expect((await quorum(['import', 'digits', DIGITS])).code).toBe(0);
    const train = await quorum(['--json', 'train', 'digits', '--seed', '5', '--params', '{"standardize":true}']);
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    const trained = JSON.parse(train.stdout) as { modelVersion: number; labelCount: number; report: { validationAccuracy: number } };
    expect(trained).toMatchObject({ modelVersion: 1, labelCount: 1797 });
    expect(trained.report.validationAccuracy).toBeGreaterThan(0.9);
    const score = await quorum(['--json', 'score', 'digits']);
    expect(score.code).toBe(0);
    expect(JSON.parse(score.stdout)).toMatchObject({ items: 1797, skipped: 0, scoringRun: { status: 'succeeded', modelVersion: 1, current: true } });
    const list = await quorum(['model', 'list', 'digits']);
    expect(list.stdout).toMatch(/^VERSION\s+KIND/);
    expect(list.stdout).toMatch(/\n1\s+softmax\s+features\s+10\s+1797 labels/);
    const exported = await quorum(['export', 'digits', '--predictions']);
    const rows = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as { annotations: { label: string }[]; prediction: { modelVersion: number; label: string; probabilities: Record<string, number> } });
    expect(rows).toHaveLength(1797);
    expect(rows.every((r) => r.prediction.modelVersion === 1 && Object.keys(r.prediction.probabilities).length === 10)).toBe(true);
    // Training accuracy of a linear model on digits is well above 0.95.
    expect(rows.filter((r) => r.prediction.label === r.annotations[0]!.label).length / rows.length).toBeGreaterThan(0.95);
  });

  it('select: a seeded query batch, printed, and usage errors exit 2', async () => {
    // Every digits item is labelled once, so with overlap 2 each still wants an annotation.
    expect((await quorum(['project', 'configure', 'digits', '--overlap', '2'])).code).toBe(0);
    const sel = await quorum(['select', 'digits', '--strategy', 'margin', '--size', '20', '--seed', '7', '--show', '3']);
    expect(sel.stderr).toBe('');
    expect(sel.stdout).toMatch(/^query batch 1: picked 20 of 1797 candidates with margin \(seed 7, model version 1\); 2 exploration picks; 20 annotation slots queued/);
    expect(sel.stdout.split('\n').filter((l) => /^\d+\s+digits-\d+/.test(l))).toHaveLength(3);
    const dry = JSON.parse((await quorum(['--json', 'select', 'digits', '--strategy', 'margin', '--size', '20', '--seed', '7', '--dry-run'])).stdout) as { id: null; items: unknown[] };
    expect(dry.id).toBeNull();
    expect(dry.items).toHaveLength(20);
    const bad = await quorum(['select', 'digits', '--strategy', 'magic', '--size', '5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--strategy must be one of .*margin/);
  });

  it('model add: an ONNX file and a fake model; mistakes exit 1 or 2 with one line', async () => {
    const onnxPath = join(dir, 'linear.onnx');
    const w = new Float32Array(64 * 10);
    for (let i = 0; i < 64; i++) w[i * 10 + (i % 10)] = 0.1;
    writeFileSync(onnxPath, buildLinearSoftmaxOnnx({ weights: w, bias: new Float32Array(10) }));
    const add = await quorum(['--json', 'model', 'add', 'digits', '--kind', 'onnx', '--file', onnxPath, '--labels', '0,1,2,3,4,5,6,7,8,9']);
    expect(add.stderr).toBe('');
    expect(JSON.parse(add.stdout)).toMatchObject({ kind: 'onnx', input: 'features', artifactBytes: expect.any(Number) as number });
    const score = await quorum(['score', 'digits', '--model-version', '2']);
    expect(score.code).toBe(0);
    expect(score.stdout).toMatch(/^scored 1797 items with version 2/);
    const fake = await quorum(['model', 'add', 'digits', '--kind', 'fake', '--seed', '9']);
    expect(fake.stdout).toMatch(/registered fake model as version 3/);
    const noFile = await quorum(['model', 'add', 'digits', '--kind', 'onnx']);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr.trim()).toBe('quorum: --kind onnx needs --file model.onnx');
    const wrongWidth = await quorum(['model', 'add', 'digits', '--kind', 'onnx', '--file', onnxPath, '--labels', '0,1,2']);
    expect(wrongWidth.code).toBe(1);
    expect(wrongWidth.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await quorum(['score', 'digits', '--model-version', '9']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('quorum: project "digits" has no model version 9');
  });

  it('retrain for cron: nothing new exits 0 and says so; a forced cycle trains, promotes the first model, re-scores and selects', async () => {
    const idle = await quorum(['--json', 'retrain', 'digits']);
    expect(idle.code).toBe(0);
    expect(JSON.parse(idle.stdout)).toMatchObject({ status: 'nothing-new', newLabels: 0, promoted: false });
    const forced = await quorum(['--json', 'retrain', 'digits', '--min-new-labels', '0']);
    expect(forced.stderr).toBe('');
    const r = JSON.parse(forced.stdout) as { status: string; modelVersion: number; promoted: boolean; champion: number; evaluation: unknown; reason: string; scoringRun: number; queryBatch: number };
    expect(r).toMatchObject({ status: 'trained', promoted: true, evaluation: null });
    expect(r.champion).toBe(r.modelVersion);
    expect(r.reason).toMatch(/first model.*no labelled eval items/);
    expect(r.scoringRun).toBeGreaterThan(0);
    expect(r.queryBatch).toBeGreaterThan(0);
    const human = await quorum(['retrain', 'digits']);
    expect(human.stdout.trim()).toBe('nothing-new: 0 new pool label(s) since the last trained version; 1 needed');
  });

  it('a text project (SpamAssassin e-mails): train and score from the CLI', async () => {
    const all = gunzipSync(readFileSync(join(ROOT, 'data', 'datasets', 'spamassassin.jsonl.gz'))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; split: string; text: string; label: string });
    const pool = all.filter((r) => r.split === 'pool').slice(0, 300);
    const held = all.filter((r) => r.split === 'eval').slice(0, 100);
    writeFileSync(join(dir, 'mail.jsonl'), [...pool, ...held].map((r) => JSON.stringify(r)).join('\n'));
    expect((await quorum(['project', 'create', 'mail', '--labels', 'ham,spam'])).code).toBe(0);
    expect((await quorum(['import', 'mail', join(dir, 'mail.jsonl')])).code).toBe(0);
    const train = await quorum(['--json', 'train', 'mail', '--params', '{"featurizer":{"dimension":16384}}']);
    expect(train.stderr).toBe('');
    expect(JSON.parse(train.stdout)).toMatchObject({ modelVersion: 1, labelCount: 300, input: 'text' });
    const score = JSON.parse((await quorum(['--json', 'score', 'mail'])).stdout) as { items: number };
    expect(score.items).toBe(400);
    const rows = (await quorum(['export', 'mail', '--predictions'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { split: string; label?: string; annotations: { label: string }[]; prediction: { label: string } });
    const evalRows = rows.filter((r) => r.split === 'eval');
    expect(evalRows).toHaveLength(100);
    expect(evalRows.filter((r) => r.prediction.label === r.annotations[0]!.label).length).toBeGreaterThanOrEqual(85);
  });

  it('doctor names the TF.js backend and onnxruntime', async () => {
    const r = await quorum(['--json', 'doctor']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { models: { backend: string; workers: number }; onnxruntime: { ok: boolean } };
    expect(['tensorflow', 'wasm', 'cpu']).toContain(report.models.backend);
    expect(report.models.workers).toBeGreaterThanOrEqual(1);
    expect(report.onnxruntime.ok).toBe(true);
  });
});
