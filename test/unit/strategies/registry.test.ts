import { describe, expect, it } from 'vitest';
import { STRATEGIES, STRATEGY_IDS, getStrategy } from '../../../src/modules/strategies/index.js';
import { ValidationError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/random.js';
import { emb, ints, probs } from './helpers.js';

describe('strategy registry', () => {
  it('lists the ids of issue 4', () => {
    expect(STRATEGY_IDS).toEqual([
      'least-confidence', 'margin', 'entropy',
      'vote-entropy', 'kl-disagreement', 'bald',
      'multilabel-mean-entropy', 'multilabel-max-entropy', 'label-cardinality-inconsistency',
      'coreset', 'cluster-margin', 'badge', 'ranked-batch', 'density-weighted',
      'random', 'stratified', 'kmeans-centroids',
    ]);
  });

  it('an unknown id is a ValidationError listing the valid ids', () => {
    expect(() => getStrategy('uncertainty')).toThrow(ValidationError);
    expect(() => getStrategy('uncertainty')).toThrow(/unknown strategy 'uncertainty'; valid ids: least-confidence, margin, entropy, .*kmeans-centroids/);
    expect(() => getStrategy('toString')).toThrow(/unknown strategy/);
  });

  it('missing inputs and row-count mismatches are ValidationErrors', () => {
    expect(() => STRATEGIES.entropy.select({}, 1, createRng(1))).toThrow(/got no per-row input/);
    expect(() => STRATEGIES.entropy.select({ embeddings: emb([[1]]) }, 1, createRng(1))).toThrow("strategy 'entropy' needs probabilities");
    expect(() => STRATEGIES.badge.select({ probabilities: probs([[1, 0]]) }, 1, createRng(1))).toThrow("strategy 'badge' needs embeddings");
    expect(() =>
      STRATEGIES['ranked-batch'].select({ probabilities: probs([[1, 0]]), embeddings: emb([[1], [2]]) }, 1, createRng(1)),
    ).toThrow('embeddings has 2 rows, but probabilities has 1');
    expect(() => STRATEGIES['label-cardinality-inconsistency'].select({ probabilities: probs([[1, 0]]) }, 1, createRng(1))).toThrow(
      /needs labelCardinality/,
    );
  });

  it('measures exclude labelled rows by default; options reach the strategy', () => {
    const p = probs([[0.5, 0.5], [0.6, 0.4], [0.9, 0.1]]);
    expect(ints(STRATEGIES.margin.select({ probabilities: p, labelled: Int32Array.from([0]) }, 3, createRng(1)).index)).toEqual([1, 2]);
    const e = emb([[1, 0], [1, 0], [0, 1]]);
    const q = probs([[0.8, 0.2], [0.8, 0.2], [0.5, 0.5]]);
    const d = (beta: number) => ints(STRATEGIES['density-weighted'].select({ probabilities: q, embeddings: e, options: { beta } }, 1, createRng(1)).index);
    expect(d(0)).toEqual([2]);
    expect(d(3)).toEqual([0]);
  });

  it('every entry has a kind, needs and a summary', () => {
    for (const id of STRATEGY_IDS) {
      const s = getStrategy(id);
      expect(['uncertainty', 'committee', 'diversity', 'multi-label', 'cold-start']).toContain(s.kind);
      expect(s.summary.length).toBeGreaterThan(5);
    }
  });
});
