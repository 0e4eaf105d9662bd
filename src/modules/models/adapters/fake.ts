/**
 * A deterministic model for tests and demos: the probabilities of an item depend
 * only on (seed, external id), p_j ∝ exp(sharpness · u_j) with u_j = stableRandom
 * of "id\u0000j". Optionally `answers` pins the arg-max of chosen ids, so a test
 * can know a version's accuracy in advance.
 */
import { z } from 'zod';
import { ModelOutputError, ModelUnavailableError } from '../../../core/errors.js';
import { stableRandom } from '../../../core/random.js';
import type { Probabilities } from '../../../core/labels.js';
import { batchRows, checkModelOutput, type ModelAdapter, type ModelBatch } from '../adapter.js';

export const fakeConfigSchema = z.strictObject({
  kind: z.literal('fake'),
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  /** Higher = more confident predictions. */
  sharpness: z.number().min(0).max(100).default(3),
  /** Output column order; defaults to the project's labels. */
  labels: z.array(z.string().min(1)).min(1).optional(),
  multiLabel: z.boolean().default(false),
  /** External id → label that gets the top probability (0.9 of the mass). */
  answers: z.record(z.string(), z.string()).optional(),
  /** Fail on this external id (to test failed runs). */
  failOn: z.string().optional(),
});
export type FakeConfig = z.output<typeof fakeConfigSchema>;

export function fakeProbabilities(config: FakeConfig, labels: readonly string[], ids: readonly string[]): Float32Array {
  const k = labels.length;
  const out = new Float32Array(ids.length * k);
  const row = new Float64Array(k);
  for (let r = 0; r < ids.length; r++) {
    const id = ids[r]!;
    const pinned = config.answers?.[id];
    const pinnedAt = pinned === undefined ? -1 : labels.indexOf(pinned);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const u = stableRandom(`${id}\u0000${j}`, config.seed);
      row[j] = config.multiLabel ? 1 / (1 + Math.exp(-config.sharpness * (u - 0.5))) : Math.exp(config.sharpness * u);
      sum += row[j]!;
    }
    for (let j = 0; j < k; j++) {
      let p = config.multiLabel ? row[j]! : row[j]! / sum;
      if (pinnedAt >= 0) p = config.multiLabel ? (j === pinnedAt ? 0.9 : 0.1) : j === pinnedAt ? 0.9 : 0.1 / Math.max(1, k - 1);
      out[r * k + j] = p;
    }
  }
  return out;
}

export function createFakeAdapter(config: FakeConfig, labels: readonly string[]): ModelAdapter {
  let closed = false;
  return {
    kind: 'fake',
    labels,
    multiLabel: config.multiLabel,
    capabilities: { trainable: false, runsInWorker: true, maxBatchSize: 1 << 20, input: 'text' },
    async predictProba(batch: ModelBatch): Promise<Probabilities> {
      if (closed) throw new ModelUnavailableError('fake model: adapter disposed');
      const rows = batchRows(batch);
      if (config.failOn !== undefined && batch.ids.includes(config.failOn)) throw new ModelOutputError(`fake model told to fail on item ${config.failOn}`);
      const p = { rows, labels: labels.length, data: fakeProbabilities(config, labels, batch.ids) };
      return checkModelOutput(p, rows, labels.length, config.multiLabel, 'fake model');
    },
    async dispose() {
      closed = true;
    },
  };
}
