import { describe, expect, it } from 'vitest';
import {
  resolvePool,
  validateCommittee,
  validateEmbeddings,
  validateProbabilities,
} from '../../../src/modules/strategies/index.js';
import { ValidationError } from '../../../src/core/errors.js';
import { emb, ints, probs } from './helpers.js';

const rows20 = (bad: number[]) => probs(Array.from({ length: 20 }, (_, r) => (r === 17 ? bad : [0.5, 0.5])));

describe('validateProbabilities', () => {
  it('names the row that does not sum to 1', () => {
    expect(() => validateProbabilities(rows20([0.42, 0.4]))).toThrow('probabilities row 17 sums to 0.82, not 1 ± 1e-3');
  });

  it('accepts float32 drift within 1e-3 and rejects beyond', () => {
    expect(() => validateProbabilities(probs([[0.5004, 0.5004]]))).not.toThrow();
    expect(() => validateProbabilities(probs([[0.501, 0.501]]))).toThrow(/sums to 1.002/);
  });

  it('names the cell for NaN, negatives and Infinity', () => {
    expect(() => validateProbabilities(rows20([NaN, 0.5]))).toThrow('probabilities row 17, column 0 is NaN');
    expect(() => validateProbabilities(rows20([1.1, -0.1]))).toThrow(/row 17, column 0 is 1.1, above 1/);
    expect(() => validateProbabilities(rows20([0.5, -0.1]))).toThrow('probabilities row 17, column 1 is negative (-0.1)');
    expect(() => validateProbabilities(rows20([Infinity, 0]))).toThrow('probabilities row 17, column 0 is Infinity, above 1');
  });

  it('checks the shape: width, type and counts', () => {
    expect(() => validateProbabilities({ rows: 2, labels: 3, data: new Float32Array(5) })).toThrow(
      'probabilities.data has 5 values, expected rows × labels = 2 × 3 = 6',
    );
    expect(() => validateProbabilities({ rows: 1, labels: 0, data: new Float32Array(0) })).toThrow(/labels must be a positive integer/);
    expect(() => validateProbabilities({ rows: -1, labels: 2, data: new Float32Array(0) })).toThrow(/rows must be a non-negative integer/);
    expect(() => validateProbabilities({ rows: 1, labels: 2, data: [0.5, 0.5] as unknown as Float32Array })).toThrow(/Float32Array/);
  });

  it('multi-label: no sum constraint, values in [0, 1]', () => {
    expect(() => validateProbabilities(probs([[0.9, 0.9, 0.9]]), { kind: 'multi-label' })).not.toThrow();
    expect(() => validateProbabilities(probs([[0.9, 1.01]]), { kind: 'multi-label' })).toThrow(/above 1/);
  });

  it('throws ValidationError with a detail naming the field', () => {
    try {
      validateProbabilities(rows20([0.42, 0.4]));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).details[0]?.field).toBe('probabilities[17]');
    }
  });
});

describe('validateCommittee / validateEmbeddings', () => {
  it('names the committee member', () => {
    expect(() => validateCommittee([probs([[0.5, 0.5]]), probs([[0.5, 0.6]])])).toThrow('committee[1] row 0 sums to 1.1, not 1 ± 1e-3');
  });

  it('embedding rows and values', () => {
    expect(() => validateEmbeddings(emb([[1, 2], [3, NaN]]))).toThrow('embeddings row 1, column 1 is NaN');
    expect(() => validateEmbeddings(emb([[1, 2]]), 2)).toThrow('embeddings have 1 rows, but the probabilities have 2');
    expect(() => validateEmbeddings({ rows: 2, dim: 3, data: new Float32Array(5) })).toThrow(/embeddings.data has 5 values, expected rows × dim = 2 × 3 = 6/);
  });
});

describe('resolvePool', () => {
  it('defaults to every row not labelled, and sorts given candidates', () => {
    expect(ints(resolvePool(5, { labelled: Int32Array.from([3, 1]) }).candidates)).toEqual([0, 2, 4]);
    expect(ints(resolvePool(5, { candidates: Int32Array.from([4, 0, 2]) }).candidates)).toEqual([0, 2, 4]);
  });
  it('rejects out-of-range, duplicate and labelled candidates', () => {
    expect(() => resolvePool(3, { candidates: Int32Array.from([3]) })).toThrow('candidates[0] = 3 is out of range [0, 3)');
    expect(() => resolvePool(3, { labelled: Int32Array.from([1, 1]) })).toThrow('labelled[1] = 1 is a duplicate');
    expect(() => resolvePool(3, { labelled: Int32Array.from([1]), candidates: Int32Array.from([0, 1]) })).toThrow(
      'candidates[1] = 1 is also in labelled',
    );
  });
});
