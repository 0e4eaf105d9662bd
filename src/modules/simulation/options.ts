/**
 * What the `simulate` command needs to describe itself (flags, defaults, valid ids)
 * without loading TF.js: the CLI imports this at start-up and the simulation itself
 * only when the command runs.
 */
import { availableParallelism } from 'node:os';
import { STRATEGY_IDS, type StrategyId } from '../strategies/index.js';

export const MODELS = ['softmax', 'mlp'] as const;
export type ModelName = (typeof MODELS)[number];

/** Iteration cap of warm-started softmax fits (see learner.ts warmIterations). */
export const DEFAULT_WARM_MAX_ITER = 10;

export const UNSUPPORTED: Partial<Record<StrategyId, string>> = {
  'multilabel-mean-entropy': 'is for multi-label models; simulate is single-label',
  'multilabel-max-entropy': 'is for multi-label models; simulate is single-label',
  'label-cardinality-inconsistency': 'is for multi-label models; simulate is single-label',
  stratified: 'needs a meta field to stratify by, which simulate data does not have',
};

export const DEFAULT_BUDGET = 600;

/** The strategies simulate can run. */
export const SIMULATE_STRATEGIES = STRATEGY_IDS.filter((id) => !UNSUPPORTED[id]);

/** Default threads: one per core, at most 2 (each holds its own TF.js engine). */
export function simulateThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}
