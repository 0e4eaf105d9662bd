/**
 * An exploration share on top of any strategy, so a model never sees only what
 * it already finds interesting (ε-greedy style exploration).
 */
import { ValidationError } from '../../core/errors.js';
import { type Rng, sampleIndexes } from '../../core/random.js';
import type { ExploredSelection, Selection } from './types.js';
import { checkNumber, validateK } from './validate.js';

/**
 * Reserves e = ⌊fraction · k⌋ slots (rounded down; a 1e-9 guard keeps binary
 * rounding from losing one, e.g. 0.29 · 100 = 28.999… → 29) for pool items drawn
 * uniformly at random (seeded) from [0, poolSize) minus `exclude` minus the
 * strategy's kept picks. The result holds the strategy's first k − e picks, in
 * their rank order and with their scores, then the e random items (score 0,
 * `explore` = 1). When fewer items are available, fewer are returned.
 *
 * Example: selected index [7, 3, 9, 1], poolSize 10, k 4, fraction 0.25 → e = 1:
 * index [7, 3, 9, x] with x drawn from {0, 1, 2, 4, 5, 6, 8} minus `exclude`,
 * explore [0, 0, 0, 1].
 */
export function withExploration(
  selected: Selection,
  poolSize: number,
  k: number,
  fraction: number,
  rng: Rng,
  opts: { exclude?: Int32Array } = {},
): ExploredSelection {
  validateK(k);
  validateK(poolSize);
  checkNumber('fraction', fraction, 0, 1);
  const e = Math.min(k, Math.floor(fraction * k + 1e-9));
  const keep = Math.min(selected.index.length, k - e);
  const mark = new Uint8Array(poolSize);
  const exclude = opts.exclude ?? new Int32Array(0);
  for (let t = 0; t < exclude.length; t++) {
    const i = exclude[t]!;
    if (!(i >= 0 && i < poolSize)) throw new ValidationError(`exclude[${t}] = ${i} is out of range [0, ${poolSize})`);
    mark[i] = 1;
  }
  for (let r = 0; r < keep; r++) {
    const i = selected.index[r]!;
    if (!(i >= 0 && i < poolSize)) throw new ValidationError(`selected.index[${r}] = ${i} is out of range [0, ${poolSize})`);
    mark[i] = 1;
  }
  let available = 0;
  for (let i = 0; i < poolSize; i++) available += mark[i] === 0 ? 1 : 0;
  const free = new Int32Array(available);
  for (let i = 0, t = 0; i < poolSize; i++) if (mark[i] === 0) free[t++] = i;
  const draw = sampleIndexes(available, e, rng);
  const n = keep + draw.length;
  const index = new Int32Array(n), score = new Float64Array(n), explore = new Uint8Array(n);
  index.set(selected.index.subarray(0, keep));
  score.set(selected.score.subarray(0, keep));
  for (let r = 0; r < draw.length; r++) {
    index[keep + r] = free[draw[r]!]!;
    explore[keep + r] = 1;
  }
  return { index, score, explore };
}
