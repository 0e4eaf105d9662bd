/** Synthetic data for the built-in model tests (seeded). */
import { createRng } from '../../../src/core/random.js';
import type { Probabilities } from '../../../src/core/labels.js';
import type { DenseMatrix } from '../../../src/modules/models/tfjs/index.js';

export interface Dataset {
  x: DenseMatrix;
  y: Int32Array;
}

/** k Gaussian blobs (sd 1) whose centres are `sep` apart along distinct axes, plus noise dimensions. */
export function blobs(n: number, d: number, k: number, sep: number, seed: number): Dataset {
  const rng = createRng(seed);
  const data = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    y[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = rng.normal() + (j === c % d ? sep : 0);
  }
  return { x: { rows: n, cols: d, data }, y };
}

/** XOR of the signs of the first two features (|x| ≥ 0.15 margin), plus `noise` irrelevant features. */
export function xor(n: number, noise: number, seed: number): Dataset {
  const rng = createRng(seed);
  const d = 2 + noise;
  const data = new Float32Array(n * d);
  const y = new Int32Array(n);
  const coord = () => {
    const v = 0.15 + 0.85 * rng.next();
    return rng.next() < 0.5 ? -v : v;
  };
  for (let i = 0; i < n; i++) {
    const a = coord(), b = coord();
    data[i * d] = a;
    data[i * d + 1] = b;
    for (let j = 2; j < d; j++) data[i * d + j] = rng.next() * 2 - 1;
    y[i] = a > 0 !== b > 0 ? 1 : 0;
  }
  return { x: { rows: n, cols: d, data }, y };
}

export function argmax(p: Probabilities, r: number): number {
  let best = 0;
  for (let j = 1; j < p.labels; j++) if (p.data[r * p.labels + j]! > p.data[r * p.labels + best]!) best = j;
  return best;
}

export function accuracy(p: Probabilities, y: Int32Array): number {
  let hits = 0;
  for (let r = 0; r < p.rows; r++) if (argmax(p, r) === y[r]) hits++;
  return hits / p.rows;
}

/** Rows [start, end) of a dataset. */
export function slice(ds: Dataset, start: number, end: number): Dataset {
  const d = ds.x.cols;
  return { x: { rows: end - start, cols: d, data: ds.x.data.slice(start * d, end * d) }, y: ds.y.slice(start, end) };
}

const SPAM = ['win', 'money', 'free', 'offer', 'cheap', 'pills', 'click', 'prize', 'casino', 'credit', 'urgent', 'bonus'];
const HAM = ['meeting', 'agenda', 'review', 'tuesday', 'project', 'report', 'lunch', 'team', 'draft', 'notes', 'schedule', 'budget'];
const COMMON = ['the', 'a', 'to', 'and', 'of', 'for', 'is', 'on', 'with', 'this', 'you', 'we'];

/** A toy spam / ham corpus: each text mixes common words with words of its class. */
export function toyCorpus(n: number, seed: number): { texts: string[]; y: Int32Array } {
  const rng = createRng(seed);
  const texts: string[] = [];
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const spam = rng.next() < 0.4;
    y[i] = spam ? 1 : 0;
    const own = spam ? SPAM : HAM;
    const len = 6 + rng.int(10);
    const words: string[] = [];
    for (let w = 0; w < len; w++) words.push(rng.next() < 0.35 ? own[rng.int(own.length)]! : COMMON[rng.int(COMMON.length)]!);
    texts.push(words.join(' '));
  }
  return { texts, y };
}
