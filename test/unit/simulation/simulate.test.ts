import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/random.js';
import {
  CSV_HEADER,
  checkStrategies,
  evaluationPoints,
  loadDataset,
  niceTicks,
  prepare,
  runSimulationTask,
  simulate,
  splitByFraction,
  type RunResult,
  type SimulationResults,
} from '../../../src/modules/simulation/index.js';

const dir = mkdtempSync(join(tmpdir(), 'quorum-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 4 Gaussian blobs in 6 dims, 240 rows. */
function writeBlobs(): string {
  const rng = createRng(7);
  const lines: string[] = [];
  for (let i = 0; i < 240; i++) {
    const c = i % 4;
    const features = Array.from({ length: 6 }, (_, j) => Number((rng.normal() + (j === c ? 2.5 : 0)).toFixed(4)));
    lines.push(JSON.stringify({ id: `b${i}`, features, label: `c${c}` }));
  }
  const f = join(dir, 'blobs.jsonl');
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}
const file = writeBlobs();

describe('the run loop', () => {
  const ds = loadDataset(file);
  const data = prepare(ds, splitByFraction(ds, 0.25, 0), { embeddings: true });
  const initial = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
  const task = (strategy: RunResult['strategy'], seed = 1) =>
    runSimulationTask({ op: 'run', dataId: 'unit', data, model: { model: 'softmax' }, strategy, seed, initial, batch: 10, budget: 45, committee: 3 });

  it('evaluation points: initial, + batch, …, the budget (a smaller last batch)', () => {
    expect(evaluationPoints(8, 10, 45)).toEqual([8, 18, 28, 38, 45]);
    expect(evaluationPoints(20, 100, 20)).toEqual([20]);
    expect(evaluationPoints(20, 10, 50)).toEqual([20, 30, 40, 50]);
  });

  it('every strategy kind runs: uncertainty, committee (bootstrap softmax), diversity (embeddings), random', async () => {
    for (const s of ['random', 'margin', 'bald', 'vote-entropy', 'badge', 'coreset', 'cluster-margin'] as const) {
      const r = (await task(s)) as RunResult;
      expect(r.points.map((p) => p.labels)).toEqual([8, 18, 28, 38, 45]);
      expect(r.order.slice(0, 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(new Set(r.order).size).toBe(45);
      for (const p of r.points) {
        expect(p.accuracy).toBeGreaterThan(0.25);
        expect(p.macroF1).toBeGreaterThan(0);
      }
      expect(r.points[4]!.accuracy).toBeGreaterThan(0.75);
    }
  });

  it('mlp: the built-in MLP refit each round; committees by MC dropout', async () => {
    const mlp = { model: 'mlp' as const, mlp: { hidden: [32], epochs: 60 } };
    for (const strategy of ['margin', 'bald'] as const) {
      const r = (await runSimulationTask({ op: 'run', dataId: 'unit', data, model: mlp, strategy, seed: 1, initial, batch: 10, budget: 28, committee: 3 })) as RunResult;
      expect(r.points.map((p) => p.labels)).toEqual([8, 18, 28]);
      expect(r.points[2]!.accuracy).toBeGreaterThan(0.6);
      expect(new Set(r.order).size).toBe(28);
    }
  });

  it('seeded: the same task gives the same curve and picks', async () => {
    const a = (await task('badge', 3)) as RunResult;
    const b = (await task('badge', 3)) as RunResult;
    expect(b.points).toEqual(a.points);
    expect(b.order).toEqual(a.order);
  });
});

describe('simulate (in this thread)', () => {
  let r: SimulationResults;
  const out = join(dir, 'out');
  it('writes results.json, curves.csv, curves.svg and report.html', async () => {
    const progress: [number, number][] = [];
    r = await simulate(
      { data: file, strategies: ['random', 'margin', 'entropy'], model: { model: 'softmax' }, seeds: [1, 2], initial: 8, batch: 10, budget: 48, out, workers: 0, targetAccuracy: 0.8 },
      { onProgress: (d, t) => progress.push([d, t]) },
    );
    expect(progress.at(-1)).toEqual([1 + 2 * 3 * 5, 1 + 2 * 3 * 5]); // one deterministic full-pool fit + 2 seeds × 3 strategies × 5 rounds
    expect(r.dataset).toMatchObject({ rows: 240, pool: 192, test: 48, labels: ['c0', 'c1', 'c2', 'c3'], input: 'features', features: 6 });
    expect(r.fullPool!.perSeed).toHaveLength(2);
    expect(r.fullPool!.mean).toBeGreaterThan(0.8);
    expect(r.summaries.map((s) => s.strategy)).toEqual(['random', 'margin', 'entropy']);
    expect(r.summaries[0]!.vsRandom).toBeNull();
    expect(r.summaries[1]!.vsRandom!.aulc.n).toBe(2);
    expect(r.summaries[1]!.labelsToAccuracy).toMatchObject({ target: 0.8, kind: 'absolute', seeds: 2 });

    const csv = readFileSync(join(out, 'curves.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(CSV_HEADER);
    expect(csv).toHaveLength(1 + 3 * 2 * 5);
    expect(csv[1]).toMatch(/^random,1,8,0\.\d+,0\.\d+$/);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as SimulationResults;
    expect(json.runs).toHaveLength(6);
    expect(json.config).toMatchObject({ budget: 48, batch: 10, initial: 8, seeds: [1, 2] });
    const svg = readFileSync(join(out, 'curves.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg.match(/<polygon /g)).toHaveLength(3);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<svg /);
    expect(html).not.toMatch(/<script|<link |src="http|href="http/);
    expect(html).toContain('labels to 98% of full-pool acc.');
    expect(html).toContain('Δ AULC vs random [95% CI]');
  });

  it('the same seeds give the same curves (paired, seeded, order-independent)', async () => {
    const again = await simulate({ data: file, strategies: ['margin'], model: { model: 'softmax' }, seeds: [2], initial: 8, batch: 10, budget: 48, out: join(dir, 'out2'), workers: 0 });
    expect(again.runs[0]!.points).toEqual(r.runs.find((x) => x.strategy === 'margin' && x.seed === 2)!.points);
  });

  it('without full-pool fits: only the absolute target and AULC', async () => {
    const x = await simulate({ data: file, strategies: ['random', 'margin'], model: { model: 'softmax' }, seeds: [1, 2], initial: 8, batch: 10, budget: 28, out: join(dir, 'out3'), workers: 0, fullPool: false, targetAccuracy: 0.7 });
    expect(x.fullPool).toBeNull();
    expect(x.summaries[1]!.labelsTo).toEqual([]);
    expect(x.summaries[1]!.labelsToAccuracy?.seeds).toBe(2);
    const html = readFileSync(join(dir, 'out3', 'report.html'), 'utf8');
    expect(html).toContain('not computed');
    expect(html).not.toContain('of full-pool acc.');
  });

  it('the default budget is 600 labels, or the whole pool when it is smaller', async () => {
    const x = await simulate({ data: file, strategies: ['random'], model: { model: 'softmax' }, seeds: [1], initial: 8, batch: 50, out: join(dir, 'out4'), workers: 0 });
    expect(x.config.budget).toBe(192);
    expect(x.runs[0]!.points.map((p) => p.labels)).toEqual([8, 58, 108, 158, 192]);
  });

  it('usage errors name the valid strategies; unsupported ones say why', async () => {
    expect(() => checkStrategies(['margn'], { model: 'softmax' })).toThrow(/unknown strategy "margn"; valid ids: least-confidence, margin, entropy, vote-entropy/);
    expect(() => checkStrategies(['multilabel-max-entropy'], { model: 'softmax' })).toThrow(/multi-label/);
    expect(() => checkStrategies(['bald'], { model: 'mlp' }, 'text')).toThrow(UsageError);
    expect(() => checkStrategies(['margin', 'margin'], { model: 'softmax' })).toThrow(/twice/);
    await expect(simulate({ data: file, strategies: ['margin'], model: { model: 'softmax' }, seeds: [1], initial: 8, batch: 10, budget: 500, out: join(dir, 'x'), workers: 0 })).rejects.toThrow(
      /--budget 500 is more than the 192 rows of the pool/,
    );
  });

  it('axis ticks are round numbers', () => {
    expect(niceTicks(0.5, 1, 5)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(niceTicks(20, 600, 6)).toEqual([100, 200, 300, 400, 500, 600]);
  });
});
