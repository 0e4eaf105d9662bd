import { createRng } from '../../../core/random.js';
import { voteCounts, validateObservations, type Observations } from './types.js';

export interface DawidSkeneOptions {
  maxIterations?: number;
  /** Stop when the log-likelihood improves by less than this (relative). */
  tolerance?: number;
  /** Pseudo-count added to every confusion cell, so an unseen response is unlikely, not impossible. */
  smoothing?: number;
  /** Breaks exact ties between posterior classes. */
  seed?: number;
}

export interface DawidSkeneResult {
  /** Posterior class probabilities, nItems × nClasses (rows of items without votes hold the prior). */
  posterior: Float64Array;
  /** Most probable class per item (-1 for items without any vote). */
  label: Int32Array;
  confidence: Float64Array;
  /** Class prevalences π_k. */
  prior: Float64Array;
  /** Per annotator, nClasses × nClasses: confusion[j][k][l] = P(annotator j says l | true class k). */
  confusion: Float64Array[];
  /** Σ_k π_k · confusion[j][k][k]: the chance annotator j labels an item correctly. */
  accuracy: Float64Array;
  iterations: number;
  converged: boolean;
  logLikelihood: number;
}

function logSumExp(a: Float64Array, from: number, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (a[from + i]! > m) m = a[from + i]!;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(a[from + i]! - m);
  return m + Math.log(s);
}

/**
 * Dawid & Skene (1979), "Maximum likelihood estimation of observer error-rates
 * using the EM algorithm", Applied Statistics 28(1):20–28.
 *
 * Model: item i has a latent class z_i ~ π; annotator j answers l with
 * probability θ_j[z_i][l]. EM from the vote shares (the paper's start):
 *   M-step  π_k = Σ_i T_ik / n,   θ_j[k][l] ∝ Σ_i T_ik · n_ijl + s
 *   E-step  T_ik ∝ π_k · Π_j Π_l θ_j[k][l]^{n_ijl}
 * until the log-likelihood Σ_i log Σ_k π_k Π θ^n stops improving. Gold items keep
 * T = onehot(gold). Ties in the final argmax are broken by the seeded RNG.
 *
 * Example: three annotators, two of them always right and one always wrong on
 * two classes: DS learns the third one's flipped confusion matrix and uses its
 * answers as evidence, where a majority vote would only be outvoting it.
 */
export function dawidSkene(o: Observations, options: DawidSkeneOptions = {}): DawidSkeneResult {
  validateObservations(o);
  const { maxIterations = 100, tolerance = 1e-8, smoothing = 0.01, seed = 1 } = options;
  const n = o.nItems, k = o.nClasses, J = o.nAnnotators, nObs = o.item.length;
  const counts = voteCounts(o);
  const T = new Float64Array(n * k);
  const hasVotes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const g = o.gold?.[i] ?? -1;
    let total = 0;
    for (let c = 0; c < k; c++) total += counts[i * k + c]!;
    hasVotes[i] = total > 0 || g >= 0 ? 1 : 0;
    if (g >= 0) T[i * k + g] = 1;
    else if (total > 0) for (let c = 0; c < k; c++) T[i * k + c] = counts[i * k + c]! / total;
  }
  const prior = new Float64Array(k);
  const confusion = Array.from({ length: J }, () => new Float64Array(k * k));
  const logPost = new Float64Array(n * k);
  let logLikelihood = -Infinity;
  let iterations = 0;
  let converged = false;

  for (iterations = 1; iterations <= maxIterations; iterations++) {
    // M-step
    prior.fill(0);
    let used = 0;
    for (let i = 0; i < n; i++) {
      if (!hasVotes[i]) continue;
      used++;
      for (let c = 0; c < k; c++) prior[c]! += T[i * k + c]!;
    }
    for (let c = 0; c < k; c++) prior[c] = used > 0 ? prior[c]! / used : 1 / k;
    for (const m of confusion) m.fill(smoothing);
    for (let t = 0; t < nObs; t++) {
      const i = o.item[t]!, m = confusion[o.annotator[t]!]!, l = o.label[t]!;
      for (let c = 0; c < k; c++) m[c * k + l]! += T[i * k + c]!;
    }
    for (const m of confusion) {
      for (let c = 0; c < k; c++) {
        let row = 0;
        for (let l = 0; l < k; l++) row += m[c * k + l]!;
        for (let l = 0; l < k; l++) m[c * k + l] = row > 0 ? m[c * k + l]! / row : 1 / k;
      }
    }
    // E-step, in log space
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) logPost[i * k + c] = Math.log(prior[c]!);
    for (let t = 0; t < nObs; t++) {
      const i = o.item[t]!, m = confusion[o.annotator[t]!]!, l = o.label[t]!;
      for (let c = 0; c < k; c++) logPost[i * k + c]! += Math.log(m[c * k + l]!);
    }
    let ll = 0;
    for (let i = 0; i < n; i++) {
      if (!hasVotes[i]) continue;
      const z = logSumExp(logPost, i * k, k);
      ll += z;
      const g = o.gold?.[i] ?? -1;
      for (let c = 0; c < k; c++) T[i * k + c] = g >= 0 ? (c === g ? 1 : 0) : Math.exp(logPost[i * k + c]! - z);
    }
    const improvement = ll - logLikelihood;
    logLikelihood = ll;
    if (Number.isFinite(improvement) && Math.abs(improvement) <= tolerance * Math.max(1, Math.abs(ll))) {
      converged = true;
      break;
    }
  }
  iterations = Math.min(iterations, maxIterations);

  const rng = createRng(seed);
  const label = new Int32Array(n).fill(-1);
  const confidence = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!hasVotes[i]) {
      for (let c = 0; c < k; c++) T[i * k + c] = prior[c]!;
      continue;
    }
    let best = 0, ties = 1;
    for (let c = 1; c < k; c++) {
      const d = T[i * k + c]! - T[i * k + best]!;
      if (d > 1e-12) {
        best = c;
        ties = 1;
      } else if (Math.abs(d) <= 1e-12 && rng.int(++ties) === 0) best = c;
    }
    label[i] = best;
    confidence[i] = T[i * k + best]!;
  }
  const accuracy = new Float64Array(J);
  for (let j = 0; j < J; j++) for (let c = 0; c < k; c++) accuracy[j]! += prior[c]! * confusion[j]![c * k + c]!;
  return { posterior: T, label, confidence, prior, confusion, accuracy, iterations, converged, logLikelihood };
}
