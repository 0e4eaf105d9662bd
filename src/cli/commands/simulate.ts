import type { Command } from 'commander';
import { CancelledError, UsageError } from '../../core/errors.js';
import { DEFAULT_BUDGET, DEFAULT_WARM_MAX_ITER, MODELS, SIMULATE_STRATEGIES, simulateThreads } from '../../modules/simulation/options.js';
import { SCALINGS } from '../../modules/simulation/prepare.js';
import { formatInterval, formatLabels } from '../../modules/simulation/summary.js';
import type { SimulationConfig } from '../../modules/simulation/simulate.service.js';
import { choice, output, progressReporter, table, whole } from '../context.js';

interface SimulateFlags {
  data: string;
  testIds?: string;
  testFraction?: number;
  input?: 'features' | 'text';
  strategies: string;
  model: 'softmax' | 'mlp';
  seeds: number;
  initial: number;
  batch: number;
  budget?: number;
  out: string;
  workers?: number;
  targetAccuracy?: number;
  fullPool: boolean;
  scaling: 'standardize' | 'max' | 'none';
  c: number;
  maxIter: number;
  warmStart: boolean;
  warmIter?: number;
  committee: number;
  mlpParams?: string;
  featurizer?: string;
}

/** A decimal flag parser: lo < value < hi (or ≤ with `inclusive`). */
function decimal(flag: string, lo: number, hi: number, inclusive = false) {
  return (v: string): number => {
    const n = Number(v);
    const ok = v.trim() !== '' && Number.isFinite(n) && (inclusive ? n >= lo && n <= hi : n > lo && n < hi);
    if (!ok) throw new UsageError(`${flag} must be a number ${inclusive ? `from ${lo} to ${hi}` : `between ${lo} and ${hi} (exclusive)`}, got "${v}"`);
    return n;
  };
}

function jsonObject(flag: string, v: string | undefined): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  try {
    const parsed = JSON.parse(v) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw new UsageError(`${flag} must be a JSON object, e.g. '{"epochs": 50}'`);
}

export function simulateCommands(program: Command): void {
  program
    .command('simulate')
    .description('backtest query strategies on a labelled dataset (no database): learning curves, labels to target, report')
    .requiredOption('--data <file>', 'JSONL (optionally .gz), one {id, text?, features?, label} per line')
    .option('--test-ids <file>', 'JSON array of the ids that form the test set')
    .option('--test-fraction <f>', 'else: a seeded stratified test fraction (default 0.2)', decimal('--test-fraction', 0, 1))
    .option('--input <input>', 'features|text (default: features when the first line has them)', choice('--input', ['features', 'text'] as const))
    .option('--strategies <ids>', `comma-separated, from: ${SIMULATE_STRATEGIES.join(', ')}`, 'random,least-confidence,entropy,margin')
    .option('--model <model>', MODELS.join('|'), choice('--model', MODELS), 'softmax')
    .option('--seeds <n>', 'seeds 1..n (each: its own initial labels, shared by every strategy)', whole('--seeds', 1, 1000), 5)
    .option('--initial <n>', 'random labels to start from', whole('--initial', 1, 10_000_000), 20)
    .option('--batch <n>', 'labels added per round', whole('--batch', 1, 10_000_000), 10)
    .option('--budget <n>', `stop at this many labels (default ${DEFAULT_BUDGET}, or the pool size when smaller)`, whole('--budget', 1, 10_000_000))
    .requiredOption('--out <dir>', 'folder for results.json, curves.csv, curves.svg, report.html')
    .option('--workers <n>', `worker threads (default ${simulateThreads()}; 0 = this thread)`, whole('--workers', 0, 64))
    .option('--target-accuracy <x>', 'also report labels needed to reach this absolute test accuracy', decimal('--target-accuracy', 0, 1, true))
    .option('--no-full-pool', 'skip the full-pool fits (then only --target-accuracy and AULC are reported)')
    .option('--scaling <how>', `numeric features: ${SCALINGS.join('|')} (statistics of the pool)`, choice('--scaling', SCALINGS), 'standardize')
    .option('--c <C>', "softmax: inverse regularisation strength (scikit-learn's C)", decimal('--c', 0, Infinity), 1)
    .option('--max-iter <n>', 'softmax: L-BFGS iterations per fit at most', whole('--max-iter', 1, 100_000), 100)
    .option('--no-warm-start', 'softmax: fit every round from zero instead of the previous weights')
    .option('--warm-iter <n>', `softmax: iteration cap of warm-started fits, raised to ⌈max-iter · added / previous labels⌉ after big batches (default ${DEFAULT_WARM_MAX_ITER})`, whole('--warm-iter', 1, 100_000))
    .option('--committee <k>', 'members for vote-entropy, kl-disagreement, bald', whole('--committee', 2, 100), 5)
    .option('--mlp-params <json>', 'mlp: trainModel hyper-parameters, e.g. \'{"hidden":[128],"epochs":100}\'')
    .option('--featurizer <json>', 'text: featurizer settings, e.g. \'{"dimension":65536}\'')
    .action(async (o: SimulateFlags, cmd: Command) => {
      const mlp = jsonObject('--mlp-params', o.mlpParams);
      if (mlp && o.model !== 'mlp') throw new UsageError('--mlp-params is for --model mlp');
      const featurizer = jsonObject('--featurizer', o.featurizer);
      const cfg: SimulationConfig = {
        data: o.data,
        ...(o.testIds ? { testIds: o.testIds } : {}),
        ...(o.testFraction !== undefined ? { testFraction: o.testFraction } : {}),
        ...(o.input ? { input: o.input } : {}),
        strategies: o.strategies.split(',').map((s) => s.trim()).filter(Boolean),
        model: {
          model: o.model,
          softmax: { C: o.c, maxIter: o.maxIter, warmStart: o.warmStart, ...(o.warmIter !== undefined ? { warmMaxIter: o.warmIter } : {}) },
          ...(mlp ? { mlp } : {}),
        },
        seeds: Array.from({ length: o.seeds }, (_, i) => i + 1),
        initial: o.initial,
        batch: o.batch,
        ...(o.budget !== undefined ? { budget: o.budget } : {}),
        committee: o.committee,
        scaling: o.scaling,
        ...(featurizer ? { featurizer } : {}),
        ...(o.targetAccuracy !== undefined ? { targetAccuracy: o.targetAccuracy } : {}),
        fullPool: o.fullPool,
        ...(o.workers !== undefined ? { workers: o.workers } : {}),
        out: o.out,
      };
      const progress = progressReporter(cmd, 'simulating', 'items');
      const abort = new AbortController();
      const onSigint = (): void => abort.abort(new CancelledError('simulation interrupted; no files were written'));
      process.once('SIGINT', onSigint);
      let r;
      try {
        // Loaded here: the simulation pulls in TF.js (~0.8 s), which no other command needs.
        const { simulate } = await import('../../modules/simulation/simulate.service.js');
        r = await simulate(cfg, { onProgress: (d, t) => progress.update(d, t), signal: abort.signal });
      } finally {
        progress.stop();
        process.off('SIGINT', onSigint);
      }
      const { runs: _runs, ...brief } = r;
      output(cmd, brief, () => {
        const hasTarget = r.summaries.some((s) => s.labelsToAccuracy);
        const rows = [
          ['STRATEGY', ...(r.fullPool ? ['TO 95%', 'TO 98%', 'TO 99%'] : []), ...(hasTarget ? [`TO ACC ${cfg.targetAccuracy}`] : []), 'AULC', 'Δ AULC VS RANDOM [95% CI]'],
          ...r.summaries.map((s) => [
            s.strategy,
            ...s.labelsTo.map((t) => formatLabels(t, r.config.budget)),
            ...(hasTarget && s.labelsToAccuracy ? [formatLabels(s.labelsToAccuracy, r.config.budget)] : []),
            s.aulc.mean.toFixed(4),
            s.strategy === 'random' ? '—' : formatInterval(s.vsRandom?.aulc, 4),
          ]),
        ];
        return [
          `${r.dataset.pool} pool / ${r.dataset.test} test rows, ${r.dataset.labels.length} labels; ` +
            (r.fullPool ? `full-pool accuracy ${r.fullPool.mean.toFixed(4)} ± ${r.fullPool.sd.toFixed(4)}` : 'no full-pool fit'),
          table(rows),
          `${r.runs.length} runs in ${(r.timing.wallMs / 1000).toFixed(1)} s; wrote ${r.files.results}, ${r.files.csv}, ${r.files.svg}, ${r.files.html}`,
        ].join('\n');
      });
    });
}
