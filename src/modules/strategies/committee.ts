/**
 * Query-by-committee measures over K ≥ 2 members' probabilities (same rows ×
 * labels). Higher = more disagreement = more informative. Logs are natural (nats).
 *
 * Worked example (K = 3 members, 2 labels; test/unit/strategies/committee.test.ts):
 *
 * | row | member 0    | member 1    | member 2    | votes  | vote-entropy | kl-disagreement = bald |
 * |-----|-------------|-------------|-------------|--------|--------------|------------------------|
 * | 0   | [0.9, 0.1]  | [0.1, 0.9]  | [0.5, 0.5]  | [2, 1] | 0.636514     | 0.245376               |
 * | 1   | [0.6, 0.4]  | [0.6, 0.4]  | [0.6, 0.4]  | [3, 0] | 0            | 0                      |
 * | 2   | [0.7, 0.3]  | [0.6, 0.4]  | [0.2, 0.8]  | [2, 1] | 0.636514     | 0.098388               |
 *
 * (member 2's tie in row 0 votes for label 0: argmax ties go to the lower label.)
 *
 * Note: with equal member weights, mean KL to the consensus equals BALD exactly:
 * (1/K) Σₖ KL(Pₖ ‖ P̄) = H(P̄) − (1/K) Σₖ H(Pₖ) (the generalised Jensen–Shannon
 * divergence). The two entries differ in intent (a committee of distinct models vs.
 * Monte-Carlo samples of one Bayesian model) and in how they are computed, not in value.
 */
import { bitsOf, lnBits } from './fastlog.js';
import type { Probabilities } from './types.js';
import { validateCommittee } from './validate.js';

interface Members {
  K: number;
  rows: number;
  labels: number;
  data: Float32Array[];
  bits: Int32Array[];
}

function members(committee: readonly Probabilities[]): Members {
  validateCommittee(committee);
  const first = committee[0]!;
  return {
    K: committee.length,
    rows: first.rows,
    labels: first.labels,
    data: committee.map((m) => m.data),
    bits: committee.map((m) => bitsOf(m.data)),
  };
}

/**
 * Vote entropy (Dagan & Engelson 1995): each member votes for its argmax label
 * (ties → lower label index); with V(y) votes for y out of K,
 * `VE = −Σ_y (V(y)/K) ln(V(y)/K)`. Example row 0 above: votes [2, 1] →
 * −(2/3 ln 2/3 + 1/3 ln 1/3) = 0.636514.
 */
export function voteEntropy(committee: readonly Probabilities[]): Float64Array {
  const { K, rows, labels, data } = members(committee);
  const term = new Float64Array(K + 1); // −(c/K) ln(c/K) for c votes
  for (let c = 1; c <= K; c++) term[c] = -(c / K) * Math.log(c / K);
  const votes = new Int32Array(labels);
  const out = new Float64Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += labels) {
    votes.fill(0);
    for (let k = 0; k < K; k++) {
      const d = data[k]!;
      let best = 0, max = d[o]!;
      for (let j = 1; j < labels; j++) {
        const v = d[o + j]!;
        if (v > max) {
          max = v;
          best = j;
        }
      }
      votes[best]!++;
    }
    let h = 0;
    for (let j = 0; j < labels; j++) h += term[votes[j]!]!;
    out[r] = h;
  }
  return out;
}

/**
 * KL divergence to the mean (McCallum & Nigam 1998): with consensus
 * P̄(y) = (1/K) Σₖ Pₖ(y), `D = (1/K) Σₖ Σ_y Pₖ(y) ln(Pₖ(y) / P̄(y))` (terms with
 * Pₖ(y) = 0 are 0; P̄(y) > 0 wherever Pₖ(y) > 0). Clamped at 0 against rounding.
 * Example row 0 above: P̄ = [0.5, 0.5]; KLs 0.368064, 0.368064, 0 → mean 0.245376.
 */
export function klDisagreement(committee: readonly Probabilities[]): Float64Array {
  const { K, rows, labels, data, bits } = members(committee);
  const ln = lnBits; // local binding for the hot loop
  const lnMean = new Float64Array(labels);
  const out = new Float64Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += labels) {
    for (let j = 0; j < labels; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += data[k]![o + j]!;
      lnMean[j] = s > 0 ? Math.log(s / K) : 0;
    }
    let d = 0;
    for (let k = 0; k < K; k++) {
      const m = data[k]!, b = bits[k]!;
      for (let j = 0; j < labels; j++) {
        const v = m[o + j]!;
        if (v > 0) d += v * (ln(v, b[o + j]!) - lnMean[j]!);
      }
    }
    d /= K;
    out[r] = d > 0 ? d : 0;
  }
  return out;
}

/**
 * BALD, Bayesian active learning by disagreement (Houlsby et al. 2011; Gal et al.
 * 2017 with MC dropout): the mutual information between the label and the model,
 * `I = H(P̄) − (1/K) Σₖ H(Pₖ)`, entropy of the mean minus mean of the members'
 * entropies. Clamped at 0 against rounding. Example row 2 above: H([0.5, 0.5]) =
 * 0.693147, member entropies 0.610864, 0.673012, 0.500402 → 0.693147 − 0.594759 = 0.098388.
 */
export function bald(committee: readonly Probabilities[]): Float64Array {
  const { K, rows, labels, data, bits } = members(committee);
  const ln = lnBits; // local binding for the hot loop
  const out = new Float64Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += labels) {
    let hMean = 0;
    for (let j = 0; j < labels; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += data[k]![o + j]!;
      const m = s / K;
      if (m > 0) hMean -= m * Math.log(m);
    }
    let hMembers = 0;
    for (let k = 0; k < K; k++) {
      const m = data[k]!, b = bits[k]!;
      for (let j = 0; j < labels; j++) {
        const v = m[o + j]!;
        if (v > 0) hMembers -= v * ln(v, b[o + j]!);
      }
    }
    const i = hMean - hMembers / K;
    out[r] = i > 0 ? i : 0;
  }
  return out;
}
