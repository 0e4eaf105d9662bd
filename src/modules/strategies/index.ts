/**
 * Query strategies (issue 4): pure, seeded, typed-array math over probabilities
 * and embeddings. Imports `src/core` only. See registry.ts for the ids.
 */
export type {
  Embeddings,
  ExploredSelection,
  PoolOptions,
  Probabilities,
  Selection,
  StrategyInput,
  StrategyOptions,
  UncertaintyMeasure,
  WorkOptions,
} from './types.js';
export { DEFAULT_MAX_WORK } from './types.js';
export {
  SUM_TOLERANCE,
  type ProbabilityKind,
  resolvePool,
  validateCommittee,
  validateEmbeddings,
  validateK,
  validateProbabilities,
  validateRowScores,
  validateScores,
} from './validate.js';
export { entropy, leastConfidence, margin, uncertaintyScores } from './uncertainty.js';
export { bald, klDisagreement, voteEntropy } from './committee.js';
export { labelCardinalityInconsistency, maxBinaryEntropy, meanBinaryEntropy } from './multilabel.js';
export { rankPicks, rankRows, topK } from './topk.js';
export { coreset } from './coreset.js';
export { clusterMargin } from './cluster-margin.js';
export { badge, gradientEmbedding } from './badge.js';
export { rankedBatch } from './ranked-batch.js';
export { densityWeighted, meanCosineSimilarity } from './density.js';
export { kmeansCentroids, randomSample, stratified } from './cold-start.js';
export { withExploration } from './exploration.js';
export {
  STRATEGIES,
  STRATEGY_IDS,
  type Need,
  type StrategyDefinition,
  type StrategyId,
  type StrategyKind,
  type StrategyNeeds,
  getStrategy,
  isStrategyId,
} from './registry.js';
