import { describe, expect, it } from 'vitest';
import { bald, entropy, klDisagreement, voteEntropy } from '../../../src/modules/strategies/index.js';
import { ValidationError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/random.js';
import { probs, randomProbs } from './helpers.js';

// The worked example in committee.ts: 3 members, 3 rows, 2 labels.
const committee = [
  probs([[0.9, 0.1], [0.6, 0.4], [0.7, 0.3]]),
  probs([[0.1, 0.9], [0.6, 0.4], [0.6, 0.4]]),
  probs([[0.5, 0.5], [0.6, 0.4], [0.2, 0.8]]),
];

describe('committee measures (worked example)', () => {
  it('vote entropy from argmax votes (ties vote for the lower label)', () => {
    const v = voteEntropy(committee);
    expect(v[0]).toBeCloseTo(0.636514, 6);
    expect(v[1]).toBe(0);
    expect(v[2]).toBeCloseTo(0.636514, 6);
  });

  it('KL to the consensus', () => {
    const d = klDisagreement(committee);
    expect(d[0]).toBeCloseTo(0.245376, 6);
    expect(d[1]).toBeCloseTo(0, 7);
    expect(d[2]).toBeCloseTo(0.098388, 6);
  });

  it('BALD: entropy of the mean − mean entropy', () => {
    const b = bald(committee);
    expect(b[0]).toBeCloseTo(0.245376, 6);
    expect(b[1]).toBeCloseTo(0, 7);
    expect(b[2]).toBeCloseTo(0.098388, 6);
  });
});

describe('committee measures (properties)', () => {
  const rng = createRng(21);
  const members = Array.from({ length: 5 }, () => randomProbs(500, 6, rng));

  it('mean KL to the consensus equals BALD (generalised Jensen–Shannon identity)', () => {
    const d = klDisagreement(members), b = bald(members);
    for (let r = 0; r < 500; r++) expect(d[r]).toBeCloseTo(b[r]!, 6);
  });

  it('scores are ≥ 0 and 0 for a unanimous committee', () => {
    for (const f of [voteEntropy, klDisagreement, bald]) {
      expect(Array.from(f(members)).every((x) => x >= 0)).toBe(true);
      expect(Array.from(f([members[0]!, members[0]!])).every((x) => x < 1e-6)).toBe(true);
    }
  });

  it('BALD ≤ entropy of the mean, and vote entropy ≤ ln K', () => {
    const mean = { ...members[0]!, data: members[0]!.data.map((_, i) => members.reduce((s, m) => s + m.data[i]!, 0) / 5) };
    const h = entropy(mean), b = bald(members), v = voteEntropy(members);
    for (let r = 0; r < 500; r++) {
      expect(b[r]).toBeLessThanOrEqual(h[r]! + 1e-6);
      expect(v[r]).toBeLessThanOrEqual(Math.log(5) + 1e-12);
    }
  });

  it('rejects a committee of one and members of different shapes', () => {
    expect(() => bald([members[0]!])).toThrow(/at least 2 members/);
    expect(() => voteEntropy([members[0]!, randomProbs(499, 6)])).toThrow(/committee\[1\] is 499 rows × 6 labels, but committee\[0\] is 500 × 6/);
    expect(() => klDisagreement([members[0]!, randomProbs(500, 5)])).toThrow(ValidationError);
  });
});
