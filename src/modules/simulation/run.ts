/**
 * One simulated active-learning run (one strategy, one seed) and the full-pool
 * reference fit, as the tasks the worker threads execute (workers/simulate.worker.ts)
 * or the main thread runs itself (`--workers 0`).
 *
 * A run: start from the seed's initial labelled rows (the same for every strategy of
 * that seed: paired comparison), then repeat — fit the model on the labelled rows,
 * evaluate it on the test set (accuracy, macro-F1 at this label count), and unless
 * the budget is reached let the strategy pick the next batch from the unlabelled pool
 * (its labels are revealed from the data).
 */
import type { MessagePort } from 'node:worker_threads';
import { createRng, stableRandom } from '../../core/random.js';
import { getStrategy, type StrategyId, type StrategyInput, type StrategyOptions } from '../strategies/index.js';
import { createLearner, type FitStats, type ModelConfig } from './learner.js';
import { accuracy, argmaxRows, macroF1, type CurvePoint } from './metrics.js';
import type { Prepared } from './prepare.js';

export interface RunTask {
  op: 'run';
  /** Names `data` in a thread's cache: tasks of one simulation share one id. */
  dataId: string;
  data: Prepared;
  model: ModelConfig;
  strategy: StrategyId;
  seed: number;
  /** Pool rows labelled before the first round. */
  initial: Int32Array;
  batch: number;
  budget: number;
  /** Committee size for the committee strategies. */
  committee: number;
  strategyOptions?: StrategyOptions;
  /** Receives a 1 after each round (progress). */
  port?: MessagePort;
}

export interface FullTask {
  op: 'full';
  dataId: string;
  data: Prepared;
  model: ModelConfig;
  seed: number;
  port?: MessagePort;
}

export type SimulationTask = RunTask | FullTask;

export interface RunTiming {
  totalMs: number;
  fitMs: number;
  /** Pool probabilities and committees. */
  scoreMs: number;
  selectMs: number;
  evalMs: number;
}

export interface RunResult {
  op: 'run';
  strategy: StrategyId;
  seed: number;
  points: CurvePoint[];
  /** Pool rows in the order they were labelled (initial rows first). */
  order: number[];
  /** L-BFGS iterations (softmax) or epochs (mlp) per fit. */
  iterations: number[];
  timing: RunTiming;
}

export interface FullResult {
  op: 'full';
  seed: number;
  labels: number;
  accuracy: number;
  macroF1: number;
  iterations: number;
  ms: number;
}

/** The rounds a run evaluates: initial, initial + batch, …, budget (the last batch may be smaller). */
export function evaluationPoints(initial: number, batch: number, budget: number): number[] {
  const out = [initial];
  for (let n = initial; n < budget; ) {
    n = Math.min(budget, n + batch);
    out.push(n);
  }
  return out;
}

/** Seed of a run's strategy rng: depends on the seed and the strategy, never on the order runs execute in. */
export function strategySeed(seed: number, strategy: string): number {
  return Math.floor(stableRandom(`simulate:${strategy}`, seed) * 2 ** 31);
}

let threadCache: { id: string; data: Prepared } | undefined;

/** The first task of a simulation leaves its data in the thread; later ones reuse it (same shared memory). */
function cached(task: SimulationTask): Prepared {
  if (threadCache?.id !== task.dataId) threadCache = { id: task.dataId, data: task.data };
  return threadCache.data;
}

export function evaluate(p: ReturnType<typeof argmaxRows>, y: Int32Array, classes: number): { accuracy: number; macroF1: number } {
  return { accuracy: accuracy(p, y), macroF1: macroF1(p, y, classes) };
}

export async function runSimulationTask(task: SimulationTask, onRound?: () => void): Promise<RunResult | FullResult> {
  const tick = (): void => {
    task.port?.postMessage(1);
    onRound?.();
  };
  try {
    return task.op === 'full' ? await fullPool(task, tick) : await run(task, tick);
  } finally {
    task.port?.close();
  }
}

async function fullPool(task: FullTask, tick: () => void): Promise<FullResult> {
  const data = cached(task);
  const learner = await createLearner(data, task.model, task.seed);
  try {
    const rows = new Int32Array(data.pool.rows);
    for (let i = 0; i < rows.length; i++) rows[i] = i;
    const fit = await learner.fit(rows);
    const e = evaluate(argmaxRows(learner.predictTest()), data.yTest, data.labels.length);
    tick();
    return { op: 'full', seed: task.seed, labels: rows.length, ...e, iterations: fit.iterations, ms: fit.ms };
  } finally {
    learner.dispose();
  }
}

async function run(task: RunTask, tick: () => void): Promise<RunResult> {
  const t0 = performance.now();
  const data = cached(task);
  const strategy = getStrategy(task.strategy);
  const rng = createRng(strategySeed(task.seed, task.strategy));
  const learner = await createLearner(data, task.model, task.seed);
  const n = data.pool.rows;
  const isLabelled = new Uint8Array(n);
  const order: number[] = [];
  for (const r of task.initial) {
    if (isLabelled[r]) continue;
    isLabelled[r] = 1;
    order.push(r);
  }
  const points: CurvePoint[] = [];
  const iterations: number[] = [];
  const timing: RunTiming = { totalMs: 0, fitMs: 0, scoreMs: 0, selectMs: 0, evalMs: 0 };
  const budget = Math.min(task.budget, n);
  try {
    while (true) {
      const rows = Int32Array.from(order);
      const fit: FitStats = await learner.fit(rows);
      timing.fitMs += fit.ms;
      iterations.push(fit.iterations);
      let t = performance.now();
      points.push({ labels: order.length, ...evaluate(argmaxRows(learner.predictTest()), data.yTest, data.labels.length) });
      timing.evalMs += performance.now() - t;
      tick();
      if (order.length >= budget) break;
      const k = Math.min(task.batch, budget - order.length);
      t = performance.now();
      const input: StrategyInput = { rows: n, labelled: rows, ...(task.strategyOptions ? { options: task.strategyOptions } : {}) };
      if (strategy.needs.probabilities) input.probabilities = learner.predictPool();
      if (strategy.needs.committee) input.committee = await learner.committee(task.committee, rng);
      if (strategy.needs.embeddings) {
        if (!data.embeddings) throw new Error(`strategy ${task.strategy} needs embeddings, but none were prepared`);
        input.embeddings = data.embeddings;
      }
      const t1 = performance.now();
      timing.scoreMs += t1 - t;
      const picked = strategy.select(input, k, rng).index;
      timing.selectMs += performance.now() - t1;
      let added = 0;
      for (const r of picked) {
        if (isLabelled[r]) throw new Error(`strategy ${task.strategy} picked the labelled row ${r}`);
        isLabelled[r] = 1;
        order.push(r);
        added++;
      }
      if (added === 0) break;
    }
  } finally {
    learner.dispose();
  }
  timing.totalMs = performance.now() - t0;
  return { op: 'run', strategy: task.strategy, seed: task.seed, points, order, iterations, timing };
}
