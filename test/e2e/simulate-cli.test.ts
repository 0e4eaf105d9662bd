/**
 * `quorum simulate` as a user runs it: the built CLI in a child process, on the digits
 * fixture with tiny settings (2 strategies × 2 seeds, budget 60), through the worker pool.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin', 'quorum.js');
const DIGITS = join(ROOT, 'test', 'fixtures', 'datasets', 'digits.jsonl.gz');
const TEST_IDS = join(ROOT, 'test', 'fixtures', 'datasets', 'digits.test_ids.json');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'quorum-simulate-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function quorum(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const base = (out: string) => ['simulate', '--data', DIGITS, '--test-ids', TEST_IDS, '--seeds', '2', '--initial', '20', '--batch', '10', '--budget', '60', '--out', out];

describe('quorum simulate', () => {
  it('runs 2 strategies × 2 seeds and writes results.json, curves.csv, curves.svg, report.html', async () => {
    const out = join(dir, 'run');
    const r = await quorum(['--json', ...base(out), '--strategies', 'random,margin', '--workers', '2', '--target-accuracy', '0.8']);
    expect(r.code).toBe(0);
    const brief = JSON.parse(r.stdout) as {
      dataset: { pool: number; test: number };
      fullPool: { mean: number };
      summaries: { strategy: string; aulc: { mean: number }; vsRandom: { aulc: { n: number } } | null }[];
      files: Record<string, string>;
    };
    expect(brief.dataset).toMatchObject({ pool: 1437, test: 360 });
    expect(brief.fullPool.mean).toBeGreaterThan(0.93);
    expect(brief.summaries.map((s) => s.strategy)).toEqual(['random', 'margin']);
    expect(brief.summaries[1]!.vsRandom!.aulc.n).toBe(2);
    for (const f of ['results.json', 'curves.csv', 'curves.svg', 'report.html']) expect(existsSync(join(out, f))).toBe(true);

    const csv = readFileSync(join(out, 'curves.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('strategy,seed,labels,accuracy,macro_f1');
    expect(csv).toHaveLength(1 + 2 * 2 * 5); // labels 20, 30, 40, 50, 60
    const rows = csv.slice(1).map((l) => l.split(','));
    expect(rows.every((c) => c.length === 5 && ['random', 'margin'].includes(c[0]!) && ['1', '2'].includes(c[1]!))).toBe(true);
    expect(rows.filter((c) => c[0] === 'margin' && c[1] === '2').map((c) => Number(c[2]))).toEqual([20, 30, 40, 50, 60]);
    for (const c of rows) {
      expect(Number(c[3])).toBeGreaterThan(0.3);
      expect(Number(c[3])).toBeLessThanOrEqual(1);
      expect(Number(c[4])).toBeGreaterThan(0.2);
    }
    // Paired: the same initial labels per seed, so both strategies start from the same model.
    expect(rows.find((c) => c[0] === 'margin' && c[1] === '1' && c[2] === '20')![3]).toBe(rows.find((c) => c[0] === 'random' && c[1] === '1' && c[2] === '20')![3]);

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { runs: unknown[]; config: { strategies: string[] } };
    expect(results.runs).toHaveLength(4);
    expect(results.config.strategies).toEqual(['random', 'margin']);
    expect(readFileSync(join(out, 'curves.svg'), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<polyline [\s\S]*<\/svg>\n$/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg ');
    expect(html).toContain('labels to acc. 0.8');
    expect(html).not.toMatch(/<script|src="http|href="http/);
  });

  it('human output: a table per strategy and the files written', async () => {
    const r = await quorum([...base(join(dir, 'human')), '--strategies', 'least-confidence', '--seeds', '1', '--workers', '0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1437 pool \/ 360 test rows, 10 labels; full-pool accuracy 0\.9\d+/);
    expect(r.stdout).toMatch(/\nSTRATEGY\s+TO 95%\s+TO 98%\s+TO 99%\s+AULC/);
    expect(r.stdout).toMatch(/\nleast-confidence\s+/);
  });

  it('usage mistakes exit 2 with one line; bad data exits 1 naming the line', async () => {
    const out = join(dir, 'bad');
    const file = join(dir, 'broken.jsonl');
    writeFileSync(file, '{"id":"a","features":[1,2],"label":"x"}\n{"id":"b","features":[1],"label":"y"}\n');
    // Independent child processes: run them side by side.
    const [unknownStrategy, unknownFlag, noData, badNumber, both, badModel, broken] = await Promise.all([
      quorum([...base(out), '--strategies', 'random,magrin']),
      quorum([...base(out), '--strategy', 'margin']),
      quorum(['simulate', '--out', out]),
      quorum([...base(out), '--budget', 'lots']),
      quorum([...base(out), '--test-fraction', '0.3']),
      quorum([...base(out), '--model', 'forest']),
      quorum(['simulate', '--data', file, '--out', out, '--budget', '1', '--initial', '1']),
    ]);
    expect(unknownStrategy.code).toBe(2);
    expect(unknownStrategy.stderr.trim()).toMatch(/^quorum: --strategies: unknown strategy "magrin"; valid ids: least-confidence, margin, entropy, .*random/);
    expect(unknownStrategy.stderr.trim().split('\n')).toHaveLength(1);

    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/unknown option '--strategy'/);

    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/required option '--data <file>' not specified/);

    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr.trim()).toBe('quorum: --budget must be a whole number from 1 to 10000000, got "lots"');

    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe('quorum: give --test-ids or --test-fraction, not both');

    expect(badModel.code).toBe(2);
    expect(badModel.stderr.trim()).toBe('quorum: --model must be one of softmax, mlp, got "forest"');

    expect(broken.code).toBe(1);
    expect(broken.stderr.trim()).toBe(`quorum: ${file}:2: 1 features, but earlier lines have 2`);
    expect(existsSync(join(out, 'results.json'))).toBe(false);
  });
});
