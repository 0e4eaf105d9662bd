/**
 * Runs one query strategy over a project's pool, from the selection worker: loads
 * what the strategy needs through a read-only handle, selects, adds the exploration
 * share, and returns the picks as item ids. Same database state + same seed → same picks.
 */
import { ValidationError } from '../../core/errors.js';
import { createRng, sampleIndexes } from '../../core/random.js';
import { densify, featurize, fitFeaturizer } from '../models/featurize/index.js';
import type { SqliteHandle } from '../scoring/item-batches.repo.js';
import { getStrategy, withExploration, type Embeddings, type StrategyInput, type StrategyOptions } from '../strategies/index.js';
import { readItemFields, readRunProbabilities, selectionPool } from './selection-inputs.repo.js';

/** Diversity strategies work on at most this many rows (a seeded sample above): 200k × 256 floats = 200 MiB. */
export const MAX_EMBEDDING_ROWS = 200_000;
/** Text items become 256-wide hashed log-count vectors for diversity strategies. */
export const TEXT_EMBEDDING_DIM = 256;

export interface SelectTask {
  dbPath: string;
  projectId: number;
  overlap: number;
  strategy: string;
  k: number;
  seed: number;
  exploration: number;
  options: StrategyOptions;
  groupBy: string | null;
  scoringRunId: number | null;
  labels: number;
  featureDim: number | null;
  embeddings: 'features' | 'text' | null;
  labelCardinality: number | null;
}

export interface SelectResult {
  itemIds: Float64Array;
  score: Float64Array;
  explore: Uint8Array;
  /** Pool items the strategy could pick from (after dropping unscored ones). */
  candidates: number;
  /** Candidates left out because the scoring run has no prediction for them (imported later). */
  unscored: number;
  /** True when a diversity strategy worked on a seeded sample of the candidates. */
  sampled: boolean;
}

function keepRows(ids: Float64Array, flags: Uint8Array, keep: (r: number) => boolean): { ids: Float64Array; flags: Uint8Array; kept: Int32Array } {
  const kept: number[] = [];
  for (let r = 0; r < ids.length; r++) if (keep(r)) kept.push(r);
  return { ids: Float64Array.from(kept, (r) => ids[r]!), flags: Uint8Array.from(kept, (r) => flags[r]!), kept: Int32Array.from(kept) };
}

function textEmbeddings(texts: (string | null)[]): Embeddings {
  const fitted = fitFeaturizer([], { dimension: TEXT_EMBEDDING_DIM, weighting: 'log-count', wordNgrams: { min: 1, max: 1 } });
  return { rows: texts.length, dim: TEXT_EMBEDDING_DIM, data: densify(featurize(texts.map((t) => t ?? ''), fitted)) };
}

export function runSelection(h: SqliteHandle, t: SelectTask): SelectResult {
  const def = getStrategy(t.strategy);
  let { ids, isCandidate: flags } = selectionPool(h, t.projectId, t.overlap, def.needs.labelled !== undefined);
  let sampled = false;
  if (t.embeddings && ids.length > MAX_EMBEDDING_ROWS) {
    const pick = new Set(sampleIndexes(ids.length, MAX_EMBEDDING_ROWS, createRng(t.seed ^ 0x5bd1e995)));
    ({ ids, flags } = keepRows(ids, flags, (r) => pick.has(r)));
    sampled = true;
  }
  const input: StrategyInput = { rows: ids.length, options: t.options };
  let unscored = 0;
  if (t.scoringRunId !== null && def.needs.probabilities) {
    const p = readRunProbabilities(h, t.scoringRunId, ids, t.labels);
    for (let r = 0; r < ids.length; r++) if (!p.found[r] && flags[r]) unscored++;
    if (unscored > 0 || p.found.includes(0)) {
      const kept = keepRows(ids, flags, (r) => p.found[r] === 1);
      const data = new Float32Array(kept.ids.length * t.labels);
      kept.kept.forEach((r, o) => data.set(p.data.subarray(r * t.labels, (r + 1) * t.labels), o * t.labels));
      ({ ids, flags } = kept);
      input.probabilities = { rows: ids.length, labels: t.labels, data };
    } else input.probabilities = { rows: ids.length, labels: t.labels, data: p.data };
    input.rows = ids.length;
  }
  const fields = readItemFields(h, t.projectId, ids, {
    featureDim: t.embeddings === 'features' ? t.featureDim : null,
    texts: t.embeddings === 'text',
    ...(t.groupBy !== null ? { metaField: t.groupBy } : {}),
  });
  if (t.embeddings === 'features') input.embeddings = { rows: ids.length, dim: t.featureDim!, data: fields.features! };
  if (t.embeddings === 'text') {
    if (fields.texts!.every((x) => x === null)) throw new ValidationError(`strategy '${t.strategy}' needs item features or text, and these items have neither`, [{ field: 'strategy', message: 'no embeddings' }]);
    input.embeddings = textEmbeddings(fields.texts!);
  }
  if (fields.groups) input.groups = fields.groups;
  if (t.labelCardinality !== null) input.labelCardinality = t.labelCardinality;
  const candidates: number[] = [];
  const labelled: number[] = [];
  flags.forEach((f, r) => (f ? candidates : labelled).push(r));
  if (candidates.length === 0) return { itemIds: new Float64Array(0), score: new Float64Array(0), explore: new Uint8Array(0), candidates: 0, unscored, sampled };
  input.candidates = Int32Array.from(candidates);
  if (labelled.length > 0) input.labelled = Int32Array.from(labelled);
  const k = Math.min(t.k, candidates.length);
  const picked = def.select(input, k, createRng(t.seed));
  // Exploration draws from the same candidates with its own stream, so the strategy's picks do not depend on the share.
  const explored = withExploration(picked, ids.length, k, t.exploration, createRng(t.seed + 1), { exclude: Int32Array.from(labelled) });
  if (explored.index.length === 0 && k > 0) throw new ValidationError(`strategy '${t.strategy}' picked nothing from ${candidates.length} candidates`);
  return {
    itemIds: Float64Array.from(explored.index, (r) => ids[r]!),
    score: explored.score,
    explore: explored.explore,
    candidates: candidates.length,
    unscored,
    sampled,
  };
}
