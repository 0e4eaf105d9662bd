/** Builders shared by the strategy unit and contract tests. */
import type { Embeddings, Probabilities } from '../../../src/modules/strategies/index.js';
import { createRng, type Rng } from '../../../src/core/random.js';

export function probs(rows: number[][]): Probabilities {
  const labels = rows[0]?.length ?? 1;
  return { rows: rows.length, labels, data: Float32Array.from(rows.flat()) };
}

export function emb(rows: number[][]): Embeddings {
  const dim = rows[0]?.length ?? 1;
  return { rows: rows.length, dim, data: Float32Array.from(rows.flat()) };
}

/** n random probability rows over `labels` labels (Dirichlet-ish via normalised uniforms, some peaked). */
export function randomProbs(n: number, labels: number, rng: Rng = createRng(1)): Probabilities {
  const data = new Float32Array(n * labels);
  for (let r = 0; r < n; r++) {
    let s = 0;
    const sharp = 1 + rng.int(4);
    for (let j = 0; j < labels; j++) {
      const v = rng.next() ** sharp;
      data[r * labels + j] = v;
      s += v;
    }
    for (let j = 0; j < labels; j++) data[r * labels + j] = data[r * labels + j]! / s;
  }
  return { rows: n, labels, data };
}

/** n × dim standard-normal embeddings. */
export function randomEmb(n: number, dim: number, rng: Rng = createRng(2)): Embeddings {
  const data = new Float32Array(n * dim);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { rows: n, dim, data };
}

export const ints = (a: ArrayLike<number>): number[] => Array.from(a);
