/**
 * `quorum simulate`: backtest query strategies on a labelled dataset, no database.
 * Loads and prepares the data once, runs seeds × strategies (plus one full-pool fit
 * per seed) on a Piscina pool (workers/simulate.worker.ts) or in this thread, then
 * writes results.json, curves.csv, curves.svg and report.html into the output folder
 * (each written to a temporary name and renamed, so no file is ever half-written).
 */
import { setMaxListeners } from 'node:events';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import { Piscina } from 'piscina';
import { UsageError } from '../../core/errors.js';
import { projectRoot } from '../../core/paths.js';
import { createRng, sampleIndexes } from '../../core/random.js';
import { VERSION } from '../../core/version.js';
import type { FeaturizerConfigInput } from '../models/featurize/index.js';
import { backendInfo } from '../models/tfjs/index.js';
import { getStrategy, isStrategyId, type StrategyId, type StrategyNeeds } from '../strategies/index.js';
import { loadDataset, splitByFraction, splitByIds, type InputKind } from './dataset.js';
import { DEFAULT_MLP_PARAMS, MLP_PATIENCE_STEPS, releaseData, type ModelConfig } from './learner.js';
import { DEFAULT_BUDGET, DEFAULT_WARM_MAX_ITER, SIMULATE_STRATEGIES, UNSUPPORTED, simulateThreads } from './options.js';
import { meanSd } from './metrics.js';
import { prepare, type Scaling } from './prepare.js';
import { curvesCsv, learningCurveSvg, reportHtml } from './report.js';
import { evaluationPoints, runSimulationTask, type FullResult, type RunResult, type SimulationTask } from './run.js';
import { summarize, type StrategySummary } from './summary.js';

export const SIMULATE_WORKER_FILE = join(projectRoot(), 'dist', 'workers', 'simulate.worker.js');


export interface SimulationConfig {
  data: string;
  testIds?: string;
  /** Used when no testIds: seeded stratified fraction (default 0.2). */
  testFraction?: number;
  input?: InputKind;
  strategies: string[];
  model: ModelConfig;
  /** Seeds 1..n are `seeds: [1, …, n]`. */
  seeds: number[];
  initial: number;
  batch: number;
  /** Stop at this many labels (default: {@link DEFAULT_BUDGET}, or the pool size when smaller). */
  budget?: number;
  /** Committee size for vote-entropy, kl-disagreement, bald (default 5). */
  committee?: number;
  scaling?: Scaling;
  featurizer?: FeaturizerConfigInput;
  targetAccuracy?: number;
  /** Fit the model on the whole pool for the relative targets (default true). */
  fullPool?: boolean;
  /** Worker threads; 0 runs everything in this thread. */
  workers?: number;
  out: string;
}

export interface SimulationResults {
  version: string;
  generatedAt: string;
  config: Omit<SimulationConfig, 'out' | 'budget'> & { out: string; budget: number; workers: number; committee: number };
  dataset: { file: string; input: InputKind; rows: number; pool: number; test: number; labels: string[]; features: number | null; split: string; preprocessing: string };
  backend: string | null;
  /** Null with fullPool: false. */
  fullPool: { mean: number; sd: number; perSeed: { seed: number; accuracy: number; macroF1: number; iterations: number; ms: number }[] } | null;
  summaries: StrategySummary[];
  runs: { strategy: string; seed: number; points: RunResult['points']; iterations: number[]; timing: RunResult['timing'] }[];
  timing: { wallMs: number; prepareMs: number };
  files: { results: string; csv: string; svg: string; html: string };
}

export interface SimulationHooks {
  /** Rounds finished of all rounds (one per evaluation point, plus one per full-pool fit). */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}


const needsOf = (id: StrategyId): StrategyNeeds => getStrategy(id).needs;


/** Checks the strategy list (usage errors name the valid ids). */
export function checkStrategies(list: readonly string[], model: ModelConfig, input?: InputKind): StrategyId[] {
  if (list.length === 0) throw new UsageError(`--strategies: give at least one of ${SIMULATE_STRATEGIES.join(', ')}`);
  const out: StrategyId[] = [];
  for (const id of list) {
    if (!isStrategyId(id)) throw new UsageError(`--strategies: unknown strategy "${id}"; valid ids: ${SIMULATE_STRATEGIES.join(', ')}`);
    const why = UNSUPPORTED[id];
    if (why) throw new UsageError(`--strategies: "${id}" ${why}; valid ids: ${SIMULATE_STRATEGIES.join(', ')}`);
    if (out.includes(id)) throw new UsageError(`--strategies: "${id}" is listed twice`);
    if (needsOf(id).committee && model.model === 'mlp' && input === 'text') {
      throw new UsageError(`--strategies: "${id}" needs a committee; with --model mlp that is MC dropout, which needs numeric features (use --model softmax for text)`);
    }
    out.push(id);
  }
  return out;
}

function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

function describeModel(m: ModelConfig): string {
  if (m.model === 'softmax') {
    const s = m.softmax ?? {};
    return `softmax (multinomial logistic regression, L-BFGS to sklearn's C=${s.C ?? 1} objective, max ${s.maxIter ?? 100} iterations, gtol ${s.gtol ?? 1e-4}, ${s.warmStart === false ? 'cold start every round' : `warm start from the previous round (≤ max(${s.warmMaxIter ?? DEFAULT_WARM_MAX_ITER}, ⌈max-iter · added / previous labels⌉) iterations)`})`;
  }
  const params = { ...DEFAULT_MLP_PARAMS, ...(m.mlp ?? {}) };
  return `mlp (built-in TF.js MLP via trainModel, from scratch each round; ${JSON.stringify(params)}${m.mlp?.patience === undefined ? `; patience: at least 5 epochs and ${MLP_PATIENCE_STEPS} Adam steps` : ''})`;
}

export async function simulate(cfg: SimulationConfig, hooks: SimulationHooks = {}): Promise<SimulationResults> {
  const t0 = performance.now();
  const committee = cfg.committee ?? 5;
  const workers = cfg.workers ?? simulateThreads();
  if (cfg.testIds && cfg.testFraction !== undefined) throw new UsageError('give --test-ids or --test-fraction, not both');
  if (!(cfg.initial >= 1)) throw new UsageError('--initial must be at least 1');
  if (cfg.seeds.length === 0) throw new UsageError('--seeds must be at least 1');
  const ds = loadDataset(cfg.data, cfg.input ? { input: cfg.input } : {});
  const strategies = checkStrategies(cfg.strategies, cfg.model, ds.input);
  const split = cfg.testIds ? splitByIds(ds, cfg.testIds) : splitByFraction(ds, cfg.testFraction ?? 0.2, 0);
  if (cfg.budget !== undefined && cfg.budget > split.pool.length) throw new UsageError(`--budget ${cfg.budget} is more than the ${split.pool.length} rows of the pool`);
  const budget = cfg.budget ?? Math.min(DEFAULT_BUDGET, split.pool.length);
  if (budget < cfg.initial) throw new UsageError(`--budget (${budget}) must be at least --initial (${cfg.initial})`);
  const needsEmbeddings = strategies.some((s) => needsOf(s).embeddings);
  const data = prepare(ds, split, {
    ...(cfg.scaling ? { scaling: cfg.scaling } : {}),
    ...(cfg.featurizer ? { featurizer: cfg.featurizer } : {}),
    embeddings: needsEmbeddings,
  });
  const prepareMs = performance.now() - t0;

  const dataId = randomUUID();
  const rounds = evaluationPoints(cfg.initial, cfg.batch, budget).length;
  const tasks: SimulationTask[] = [];
  // The softmax full-pool fit is deterministic (convex, from zero, no randomness): one fit serves every seed.
  const fullOnce = cfg.model.model === 'softmax';
  const withFull = cfg.fullPool ?? true;
  for (const seed of cfg.seeds) {
    if (withFull && (!fullOnce || seed === cfg.seeds[0])) tasks.push({ op: 'full', dataId, data, model: cfg.model, seed });
    // The same initial labelled rows for every strategy of this seed (paired comparison).
    const initial = sampleIndexes(data.pool.rows, cfg.initial, createRng(seed));
    for (const strategy of strategies) {
      tasks.push({ op: 'run', dataId, data, model: cfg.model, strategy, seed, initial, batch: cfg.batch, budget, committee });
    }
  }
  const total = tasks.filter((t) => t.op === 'full').length + cfg.seeds.length * strategies.length * rounds;
  let done = 0;
  const progress = (): void => {
    done++;
    hooks.onProgress?.(done, total);
  };
  hooks.onProgress?.(0, total);

  let results: (RunResult | FullResult)[];
  let backend: string | null = null;
  if (workers === 0) {
    results = [];
    try {
      for (const t of tasks) {
        if (hooks.signal?.aborted) throw hooks.signal.reason;
        results.push(await runSimulationTask(t, progress));
      }
    } finally {
      releaseData(data);
    }
    backend = backendInfo()?.name ?? null;
  } else {
    if (!existsSync(SIMULATE_WORKER_FILE)) throw new Error(`simulate worker not built (${SIMULATE_WORKER_FILE}): run npm run build`);
    // Piscina listens to the signal once per queued task.
    if (hooks.signal) setMaxListeners(tasks.length + 16, hooks.signal);
    const pool = new Piscina({ filename: SIMULATE_WORKER_FILE, minThreads: workers, maxThreads: workers, idleTimeout: 1000 });
    try {
      results = await Promise.all(
        tasks.map((t) => {
          const channel = new MessageChannel();
          channel.port1.on('message', progress);
          const task = { ...t, port: channel.port2 };
          return (pool.run(task, { transferList: [channel.port2] as never, ...(hooks.signal ? { signal: hooks.signal } : {}) }) as Promise<RunResult | FullResult>).finally(() =>
            channel.port1.close(),
          );
        }),
      );
      // A progress message may still be in flight when its task's result arrives.
      if (done < total) hooks.onProgress?.((done = total), total);
      backend = await pool.run({ op: 'backend' }).then((b: { name?: string }) => b.name ?? null).catch(() => null);
    } finally {
      await pool.destroy();
    }
  }

  const fitted = results.filter((r): r is FullResult => r.op === 'full');
  const full = !withFull ? [] : fullOnce ? cfg.seeds.map((seed) => ({ ...fitted[0]!, seed })) : fitted;
  const runs = results.filter((r): r is RunResult => r.op === 'run');
  const fullAcc = new Map(full.map((f) => [f.seed, f.accuracy]));
  const summaries = summarize(runs, strategies, cfg.seeds, withFull ? fullAcc : null, cfg.targetAccuracy);
  const fs = meanSd(full.map((f) => f.accuracy));

  const out = resolve(cfg.out);
  mkdirSync(out, { recursive: true });
  const files = { results: join(out, 'results.json'), csv: join(out, 'curves.csv'), svg: join(out, 'curves.svg'), html: join(out, 'report.html') };
  const order = (a: RunResult, b: RunResult) => strategies.indexOf(a.strategy) - strategies.indexOf(b.strategy) || a.seed - b.seed;
  runs.sort(order);
  const series = strategies.map((s) => ({ name: s, curves: runs.filter((r) => r.strategy === s).map((r) => r.points) }));
  const datasetName = cfg.data.split(/[\\/]/).pop()!;
  const references = [
    ...(withFull
      ? [
          { value: fs.mean, label: `full pool ${fs.mean.toFixed(3)}` },
          { value: 0.98 * fs.mean, label: `98% of it ${(0.98 * fs.mean).toFixed(3)}` },
        ]
      : []),
    ...(cfg.targetAccuracy !== undefined ? [{ value: cfg.targetAccuracy, label: `target ${cfg.targetAccuracy}` }] : []),
  ];
  const title = `Learning curves: ${datasetName}, ${cfg.model.model}, ${cfg.seeds.length} seed${cfg.seeds.length === 1 ? '' : 's'}`;
  const accuracySvg = learningCurveSvg(series, { title, references });
  const macroF1Svg = learningCurveSvg(series, { title: `Macro-F1: ${datasetName}, ${cfg.model.model}`, metric: 'macroF1' });
  const wallMs = performance.now() - t0;
  const modelText = describeModel(cfg.model);
  const html = reportHtml({
    title: `quorum simulate: ${datasetName}`,
    settings: [
      ['data', `${cfg.data} (${ds.ids.length} rows, ${ds.labels.length} labels, input ${ds.input}${ds.input === 'features' ? `, ${ds.dim} features` : ''})`],
      ['split', `${split.how}: pool ${split.pool.length}, test ${split.test.length}`],
      ['preprocessing', data.preprocessing],
      ['model', modelText],
      ['protocol', `${cfg.initial} random initial labels (the same for every strategy of a seed), batches of ${cfg.batch}, budget ${budget} labels; seeds ${cfg.seeds.join(', ')}`],
      ['strategies', strategies.join(', ')],
      ['run', `${new Date().toISOString()}, quorum ${VERSION}, ${workers === 0 ? 'in the main thread' : `${workers} worker thread(s)`}, TF.js backend ${backend ?? '?'}, wall time ${(wallMs / 1000).toFixed(1)} s`],
    ],
    fullPool: withFull ? { mean: fs.mean, sd: fs.sd, perSeed: full.map((f) => ({ seed: f.seed, accuracy: f.accuracy, macroF1: f.macroF1 })) } : null,
    budget,
    summaries,
    accuracySvg,
    macroF1Svg,
    notes: [
      'Accuracy and macro-F1 are measured on the test set after every batch; macro-F1 is the plain mean of per-label F1 over the labels that occur in the test set or the predictions.',
      withFull
        ? `Full-pool accuracy: the model trained on every pool row, evaluated on the test set${fullOnce ? ' (softmax: one deterministic fit, shared by every seed)' : ', once per seed'}.`
        : 'No full-pool fits (--no-full-pool): only the absolute target and AULC are reported.',
      "Labels to X% of full-pool accuracy: for each seed, the label count of the FIRST evaluation point whose accuracy is ≥ X × that seed's full-pool accuracy (no interpolation between points); mean ± sd over the seeds that reached it. \"> budget\" when no seed did; \"> budget (k/n: mean ± sd)\" when only k of the n seeds did (mean ± sd of those k).",
      'AULC: trapezoid-rule area under the accuracy curve from the initial to the last label count, divided by that label range (the mean accuracy over the label range; 1 is perfect).',
      'Δ vs random: per-seed paired differences (same initial labels and test set), mean with a 95% Student-t interval, mean ± t(0.975, n−1) · sd / √n. For labels to 98%, only seeds where both strategies reached the target are paired. Negative Δ labels and positive Δ AULC favour the strategy.',
      `Committee strategies (vote-entropy, kl-disagreement, bald) use ${committee} members: ${cfg.model.model === 'softmax' ? 'softmax fits on bootstrap resamples of the labelled rows, warm-started from the current model' : 'MC dropout passes of the MLP'}.`,
    ],
  });
  const results2: SimulationResults = {
    version: VERSION,
    generatedAt: new Date().toISOString(),
    config: { ...cfg, out, budget, workers, committee, strategies },
    dataset: {
      file: cfg.data, input: ds.input, rows: ds.ids.length, pool: split.pool.length, test: split.test.length, labels: ds.labels,
      features: ds.input === 'features' ? ds.dim : null, split: split.how, preprocessing: data.preprocessing,
    },
    backend,
    fullPool: withFull
      ? { mean: fs.mean, sd: fs.sd, perSeed: full.sort((a, b) => a.seed - b.seed).map((f) => ({ seed: f.seed, accuracy: f.accuracy, macroF1: f.macroF1, iterations: f.iterations, ms: f.ms })) }
      : null,
    summaries,
    runs: runs.map((r) => ({ strategy: r.strategy, seed: r.seed, points: r.points, iterations: r.iterations, timing: r.timing })),
    timing: { wallMs, prepareMs },
    files,
  };
  writeAtomic(files.csv, curvesCsv(runs));
  writeAtomic(files.svg, accuracySvg);
  writeAtomic(files.html, html);
  writeAtomic(files.results, JSON.stringify(results2, null, 1) + '\n');
  return results2;
}
