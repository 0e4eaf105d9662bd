/**
 * The one registry of query strategies: id → kind, needed inputs and `select`.
 * Every entry passes test/contract/strategies.contract.test.ts.
 */
import { ValidationError } from '../../core/errors.js';
import type { Rng } from '../../core/random.js';
import { badge } from './badge.js';
import { clusterMargin } from './cluster-margin.js';
import { kmeansCentroids, randomSample, stratified } from './cold-start.js';
import { bald, klDisagreement, voteEntropy } from './committee.js';
import { coreset } from './coreset.js';
import { densityWeighted } from './density.js';
import { labelCardinalityInconsistency, maxBinaryEntropy, meanBinaryEntropy } from './multilabel.js';
import { rankedBatch } from './ranked-batch.js';
import { topK } from './topk.js';
import type {
  Embeddings,
  PoolOptions,
  Probabilities,
  Selection,
  StrategyInput,
  UncertaintyMeasure,
  WorkOptions,
} from './types.js';
import { topUncertain, uncertaintyScores } from './uncertainty.js';
import { resolvePool } from './validate.js';

export type StrategyKind = 'uncertainty' | 'committee' | 'diversity' | 'multi-label' | 'cold-start';
/** `required`: select throws without it; `optional`: used when given. */
export type Need = 'required' | 'optional';

export interface StrategyNeeds {
  probabilities?: Need;
  committee?: Need;
  embeddings?: Need;
  /** `labelled` rows (coreset, ranked-batch start from them). */
  labelled?: Need;
  /** `groups`, one key per row (stratified). */
  groups?: Need;
  /** `labelCardinality`, the labelled set's mean labels per item (label-cardinality-inconsistency). */
  labelCardinality?: Need;
}

export interface StrategyDefinition {
  kind: StrategyKind;
  needs: StrategyNeeds;
  /** `score`: picks sorted by score (non-increasing, ties → lower row); `order`: picks in the order the algorithm made them. */
  rankedBy: 'score' | 'order';
  /** True when the result never depends on the rng (for pools under the work cap). */
  deterministic: boolean;
  summary: string;
  /** k picks (fewer if the pool is smaller), best first. Throws ValidationError on bad input. */
  select(input: StrategyInput, k: number, rng: Rng): Selection;
}

function need<T>(value: T | undefined | null, id: string, what: string): T {
  if (value === undefined || value === null) throw new ValidationError(`strategy '${id}' needs ${what}`, [{ field: what.split(' ')[0]!, message: 'required' }]);
  return value;
}

/** The row count all inputs share; a mismatch is a ValidationError. */
function rowsOf(input: StrategyInput, id: string): number {
  const counts: [string, number][] = [];
  if (input.rows !== undefined) counts.push(['rows', input.rows]);
  if (input.probabilities) counts.push(['probabilities', input.probabilities.rows]);
  if (input.committee?.[0]) counts.push(['committee[0]', input.committee[0].rows]);
  if (input.embeddings) counts.push(['embeddings', input.embeddings.rows]);
  if (input.groups) counts.push(['groups', input.groups.length]);
  const first = counts[0];
  if (!first) throw new ValidationError(`strategy '${id}' got no per-row input (give rows, probabilities, committee, embeddings or groups)`);
  for (const [what, n] of counts) {
    if (n !== first[1]) throw new ValidationError(`${what} has ${n} rows, but ${first[0]} has ${first[1]}`);
  }
  return first[1];
}

type Select = (input: StrategyInput, k: number, rng: Rng, rows: number) => Selection;

/** Checks that the inputs agree on the row count, then runs `fn`. */
function checked(id: string, fn: Select): StrategyDefinition['select'] {
  return (input, k, rng) => fn(input, k, rng, rowsOf(input, id));
}

/** Measure → top-k over the candidates (labelled rows excluded by default). */
function byScore(id: string, measure: (input: StrategyInput) => Float64Array): StrategyDefinition['select'] {
  return checked(id, (input, k, _rng, rows) => {
    const scores = measure(input);
    if (!input.candidates && !input.labelled) return topK(scores, k); // every row: skip the index list
    return topK(scores, k, { candidates: resolvePool(rows, pool(input)).candidates });
  });
}

const pool = (i: StrategyInput): PoolOptions => ({ candidates: i.candidates, labelled: i.labelled });
/** Validate, score and keep the top k in one pass: no per-row score array for a 1M-row pool. */
const byMeasure = (id: UncertaintyMeasure): StrategyDefinition['select'] => checked(id, (input, k) => topUncertain(probs(input, id), id, k, pool(input)));
const work = (i: StrategyInput): PoolOptions & WorkOptions => ({ ...pool(i), maxWork: i.options?.maxWork });
const probs = (i: StrategyInput, id: string): Probabilities => need(i.probabilities, id, 'probabilities');
const emb = (i: StrategyInput, id: string): Embeddings => need(i.embeddings, id, 'embeddings');
const members = (i: StrategyInput, id: string) => need(i.committee, id, 'committee (K ≥ 2 probabilities)');
const uncertain = (i: StrategyInput, id: string, fallback: UncertaintyMeasure): Float64Array =>
  uncertaintyScores(probs(i, id), i.options?.measure ?? fallback);

export const STRATEGIES = {
  'least-confidence': {
    kind: 'uncertainty', needs: { probabilities: 'required' }, rankedBy: 'score', deterministic: true,
    summary: '1 − max p (Lewis & Gale 1994)',
    select: byMeasure('least-confidence'),
  },
  margin: {
    kind: 'uncertainty', needs: { probabilities: 'required' }, rankedBy: 'score', deterministic: true,
    summary: '1 − (p₁ − p₂): smallest top-2 margin first (Scheffer et al. 2001)',
    select: byMeasure('margin'),
  },
  entropy: {
    kind: 'uncertainty', needs: { probabilities: 'required' }, rankedBy: 'score', deterministic: true,
    summary: '−Σ p ln p (Settles & Craven 2008)',
    select: byMeasure('entropy'),
  },
  'vote-entropy': {
    kind: 'committee', needs: { committee: 'required' }, rankedBy: 'score', deterministic: true,
    summary: "entropy of the members' argmax votes (Dagan & Engelson 1995)",
    select: byScore('vote-entropy', (i) => voteEntropy(members(i, 'vote-entropy'))),
  },
  'kl-disagreement': {
    kind: 'committee', needs: { committee: 'required' }, rankedBy: 'score', deterministic: true,
    summary: 'mean KL of each member from the consensus (McCallum & Nigam 1998)',
    select: byScore('kl-disagreement', (i) => klDisagreement(members(i, 'kl-disagreement'))),
  },
  bald: {
    kind: 'committee', needs: { committee: 'required' }, rankedBy: 'score', deterministic: true,
    summary: 'H(mean) − mean H(member): mutual information (Houlsby et al. 2011)',
    select: byScore('bald', (i) => bald(members(i, 'bald'))),
  },
  'multilabel-mean-entropy': {
    kind: 'multi-label', needs: { probabilities: 'required' }, rankedBy: 'score', deterministic: true,
    summary: 'mean per-label binary entropy of sigmoid outputs (Esuli & Sebastiani 2009, AVG)',
    select: byScore('multilabel-mean-entropy', (i) => meanBinaryEntropy(probs(i, 'multilabel-mean-entropy'))),
  },
  'multilabel-max-entropy': {
    kind: 'multi-label', needs: { probabilities: 'required' }, rankedBy: 'score', deterministic: true,
    summary: 'max per-label binary entropy of sigmoid outputs (Esuli & Sebastiani 2009, MAX)',
    select: byScore('multilabel-max-entropy', (i) => maxBinaryEntropy(probs(i, 'multilabel-max-entropy'))),
  },
  'label-cardinality-inconsistency': {
    kind: 'multi-label', needs: { probabilities: 'required', labelCardinality: 'required' }, rankedBy: 'score', deterministic: true,
    summary: '|Σ p − mean label cardinality of the labelled set| (Li & Guo 2013, soft)',
    select: byScore('label-cardinality-inconsistency', (i) =>
      labelCardinalityInconsistency(
        probs(i, 'label-cardinality-inconsistency'),
        need(i.labelCardinality, 'label-cardinality-inconsistency', 'labelCardinality (mean labels per labelled item)'),
      ),
    ),
  },
  coreset: {
    kind: 'diversity', needs: { embeddings: 'required', labelled: 'optional' }, rankedBy: 'order', deterministic: false,
    summary: 'greedy k-center over embeddings (Sener & Savarese 2018)',
    select: checked('coreset', (i, k, rng) => coreset(emb(i, 'coreset'), k, rng, work(i))),
  },
  'cluster-margin': {
    kind: 'diversity', needs: { probabilities: 'required', embeddings: 'required' }, rankedBy: 'score', deterministic: false,
    summary: 'k-means++ over the top-m by margin, most uncertain per cluster (Citovsky et al. 2021, simplified)',
    select: checked('cluster-margin', (i, k, rng) =>
      clusterMargin(emb(i, 'cluster-margin'), uncertain(i, 'cluster-margin', 'margin'), k, rng, { ...work(i), topM: i.options?.topM }),
    ),
  },
  badge: {
    kind: 'diversity', needs: { probabilities: 'required', embeddings: 'required' }, rankedBy: 'order', deterministic: false,
    summary: 'k-means++ over gradient embeddings (p − onehot(ŷ)) ⊗ x (Ash et al. 2020)',
    select: checked('badge', (i, k, rng) => badge(probs(i, 'badge'), emb(i, 'badge'), k, rng, work(i))),
  },
  'ranked-batch': {
    kind: 'diversity', needs: { probabilities: 'required', embeddings: 'required', labelled: 'optional' }, rankedBy: 'order', deterministic: true,
    summary: 'α·(1 − sim) + (1 − α)·uncertainty, one pick at a time (Cardoso et al. 2017, as in modAL)',
    select: checked('ranked-batch', (i, k, rng) =>
      rankedBatch(emb(i, 'ranked-batch'), uncertain(i, 'ranked-batch', 'least-confidence'), k, rng, work(i)),
    ),
  },
  'density-weighted': {
    kind: 'diversity', needs: { probabilities: 'required', embeddings: 'required' }, rankedBy: 'score', deterministic: true,
    summary: 'uncertainty × (mean cosine similarity to the pool)^β (Settles & Craven 2008)',
    select: checked('density-weighted', (i, k) =>
      densityWeighted(emb(i, 'density-weighted'), uncertain(i, 'density-weighted', 'entropy'), k, { ...pool(i), beta: i.options?.beta }),
    ),
  },
  random: {
    kind: 'cold-start', needs: {}, rankedBy: 'order', deterministic: false,
    summary: 'uniform random sample (seeded)',
    select: checked('random', (i, k, rng, rows) => randomSample(rows, k, rng, pool(i))),
  },
  stratified: {
    kind: 'cold-start', needs: { groups: 'required' }, rankedBy: 'order', deterministic: false,
    summary: 'round-robin over the groups of a meta field, seeded within group',
    select: checked('stratified', (i, k, rng) => stratified(need(i.groups, 'stratified', 'groups (one key per row)'), k, rng, pool(i))),
  },
  'kmeans-centroids': {
    kind: 'cold-start', needs: { embeddings: 'required' }, rankedBy: 'score', deterministic: false,
    summary: 'k-means++ and Lloyd steps, the item nearest each centroid, largest cluster first',
    select: checked('kmeans-centroids', (i, k, rng) =>
      kmeansCentroids(emb(i, 'kmeans-centroids'), k, rng, { ...work(i), iterations: i.options?.iterations }),
    ),
  },
} as const satisfies Record<string, StrategyDefinition>;

export type StrategyId = keyof typeof STRATEGIES;
export const STRATEGY_IDS = Object.keys(STRATEGIES) as StrategyId[];

export function isStrategyId(id: string): id is StrategyId {
  return Object.hasOwn(STRATEGIES, id);
}

/** The registry entry for `id`; an unknown id is a ValidationError listing the valid ids. */
export function getStrategy(id: string): StrategyDefinition {
  if (!isStrategyId(id)) {
    throw new ValidationError(`unknown strategy '${id}'; valid ids: ${STRATEGY_IDS.join(', ')}`, [
      { field: 'strategy', message: `must be one of ${STRATEGY_IDS.join(', ')}` },
    ]);
  }
  return STRATEGIES[id];
}
