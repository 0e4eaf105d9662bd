/**
 * Per-row orderings stored beside each prediction, so that uncertainty queries can
 * sort stored columns instead of decoding probability BLOBs. Pure functions.
 */
import type { Probabilities } from '../../core/labels.js';

export interface RowSummaries {
  /** Index of the most probable label (first on ties). */
  label: Int32Array;
  maxProb: Float32Array;
  /** Single-label: top-1 − top-2. Multi-label: min over labels of |2p − 1| (distance from the 0.5 boundary). */
  margin: Float32Array;
  /** Single-label: −Σ p ln p (nats). Multi-label: mean binary entropy (nats). */
  entropy: Float32Array;
}

/**
 * Re-orders a model's columns into the project's label order: column j of the model
 * goes to `columnMap[j]`; project labels the model does not know get 0.
 */
export function toProjectOrder(p: Probabilities, columnMap: Int32Array, projectLabels: number): Float32Array {
  const out = new Float32Array(p.rows * projectLabels);
  const k = p.labels;
  for (let r = 0; r < p.rows; r++) {
    for (let j = 0; j < k; j++) out[r * projectLabels + columnMap[j]!] = p.data[r * k + j]!;
  }
  return out;
}

/** The column map from a version's label order into the project's. */
export function columnMapFor(versionLabels: readonly string[], projectLabels: readonly string[]): Int32Array {
  const at = new Map(projectLabels.map((l, i) => [l, i]));
  return Int32Array.from(versionLabels, (l) => {
    const i = at.get(l);
    if (i === undefined) throw new Error(`model label "${l}" is not a label of the project`);
    return i;
  });
}

const xlogx = (p: number): number => (p > 0 ? p * Math.log(p) : 0);

export function summarize(probs: Float32Array, rows: number, k: number, multiLabel: boolean): RowSummaries {
  const label = new Int32Array(rows);
  const maxProb = new Float32Array(rows);
  const margin = new Float32Array(rows);
  const entropy = new Float32Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += k) {
    let best = -1, second = -1, arg = 0, h = 0, closest = Infinity;
    for (let j = 0; j < k; j++) {
      const p = probs[o + j]!;
      if (p > best) {
        second = best;
        best = p;
        arg = j;
      } else if (p > second) second = p;
      if (multiLabel) {
        h -= xlogx(p) + xlogx(1 - p);
        closest = Math.min(closest, Math.abs(2 * p - 1));
      } else h -= xlogx(p);
    }
    label[r] = arg;
    maxProb[r] = best;
    margin[r] = multiLabel ? closest : best - Math.max(second, 0);
    entropy[r] = multiLabel ? h / k : h;
  }
  return { label, maxProb, margin, entropy };
}
