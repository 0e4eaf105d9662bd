/**
 * Shared shapes of the strategies folder (pure math: imports `src/core` only).
 */
import type { Probabilities } from '../../core/labels.js';

export type { Probabilities };

/** Item embeddings: rows × dim, row-major, one row per item (same row order as the probabilities). */
export interface Embeddings {
  rows: number;
  dim: number;
  data: Float32Array;
}

/**
 * A ranked selection, best first: `index[r]` is the row of the item at rank r and
 * `score[r]` its score (what the score means is documented per strategy).
 */
export interface Selection {
  index: Int32Array;
  score: Float64Array;
}

/** A selection with an exploration share: `explore[r] === 1` marks a uniformly random pick. */
export interface ExploredSelection extends Selection {
  explore: Uint8Array;
}

/** Which uncertainty measure feeds a diversity strategy that also weighs uncertainty. */
export type UncertaintyMeasure = 'least-confidence' | 'margin' | 'entropy';

/** Where a strategy may pick from and what is already labelled. */
export interface PoolOptions {
  /** Rows eligible for selection (distinct, in range). Default: every row not in `labelled`. */
  candidates?: Int32Array;
  /** Rows already labelled (distinct, in range, disjoint from `candidates`). */
  labelled?: Int32Array;
}

/**
 * Caps the number of pairwise multiply-adds a diversity strategy may spend.
 * Above it, the strategy works on a seeded sample (each strategy documents which).
 * Default {@link DEFAULT_MAX_WORK}.
 */
export interface WorkOptions {
  maxWork?: number;
}

/**
 * 4·10⁹ multiply-adds: about 4–8 s of V8 scalar code. Exact greedy k-center for
 * 1,000 of 1,000,000 × 256 would be 2.56·10¹¹ (minutes), hence the cap.
 */
export const DEFAULT_MAX_WORK = 4e9;

/** Tunables a registry entry may read; every one has a documented default. */
export interface StrategyOptions extends WorkOptions {
  /** density-weighted: exponent β of the density term (default 1). */
  beta?: number;
  /** cluster-margin: how many of the most uncertain candidates to cluster (default 10·k). */
  topM?: number;
  /** kmeans-centroids: Lloyd iterations after k-means++ seeding (default 5). */
  iterations?: number;
  /** cluster-margin / ranked-batch / density-weighted: the uncertainty measure (defaults: margin / least-confidence / entropy). */
  measure?: UncertaintyMeasure;
}

/** Everything a registry strategy may read; each entry's `needs` says which fields it uses. */
export interface StrategyInput extends PoolOptions {
  /** Number of items, for strategies given no other per-row input (`random` with nothing else). */
  rows?: number;
  /** Single-label class probabilities (rows sum to 1), or per-label sigmoid probabilities for multi-label strategies. */
  probabilities?: Probabilities;
  /** K ≥ 2 members' probabilities, all of one shape (committee strategies). */
  committee?: readonly Probabilities[];
  embeddings?: Embeddings;
  /** One group key per row (a meta field), for `stratified`; null/undefined is its own group. */
  groups?: ArrayLike<string | number | null | undefined>;
  /** Mean number of positive labels per item in the labelled set (label-cardinality-inconsistency). */
  labelCardinality?: number;
  options?: StrategyOptions;
}
