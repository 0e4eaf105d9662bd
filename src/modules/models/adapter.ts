/**
 * The model adapter contract: every model kind (built-in TF.js softmax/MLP, ONNX
 * file, remote HTTP server, deterministic fake) answers `predictProba` on a batch
 * of items with class probabilities in its own label order, and passes the shared
 * contract suite (test/contract/model-adapters.test.ts).
 */
import type { Probabilities } from '../../core/labels.js';
import { DomainError, ModelOutputError } from '../../core/errors.js';
import { validateProbabilities } from '../strategies/index.js';

export const ADAPTER_KINDS = ['softmax', 'mlp', 'onnx', 'http', 'fake'] as const;
export type AdapterKind = (typeof ADAPTER_KINDS)[number];

/** What a model reads from an item. */
export type ModelInputKind = 'features' | 'text';

/** A batch of items as the models see it: parallel arrays, one entry per row. */
export interface ModelBatch {
  /** External ids. */
  ids: readonly string[];
  /** Item text, or null. */
  texts: readonly (string | null)[];
  /** rows × featureDim float32 values (row-major), or null when the items carry no features. */
  features: Float32Array | null;
  featureDim: number | null;
  /** Item metadata (parsed JSON object), or null. */
  metas: readonly (Record<string, unknown> | null)[];
}

export interface AdapterCapabilities {
  /** Quorum can train new versions of this kind. */
  trainable: boolean;
  /** CPU-bound inference that belongs in Piscina workers; false: remote, called from the main thread. */
  runsInWorker: boolean;
  /** Largest batch `predictProba` accepts in one call. */
  maxBatchSize: number;
  /** The item field the model reads. */
  input: ModelInputKind;
}

export interface PredictContext {
  /** Checked between chunks / requests: an aborted signal rejects with its reason. */
  signal?: AbortSignal;
}

export interface ModelAdapter {
  readonly kind: AdapterKind;
  /** Output column order: part of a version's contract. */
  readonly labels: readonly string[];
  /** Independent per-label probabilities (sigmoid) rather than one distribution per row. */
  readonly multiLabel: boolean;
  readonly capabilities: AdapterCapabilities;
  /**
   * Probabilities for every row of the batch (rows × labels.length, this adapter's
   * label order). Rejects with {@link ModelOutputError} when the model answers
   * something unusable, and with a ValidationError when the batch lacks the
   * input the model reads (e.g. no features).
   */
  predictProba(batch: ModelBatch, ctx?: PredictContext): Promise<Probabilities>;
  /** Frees native memory / sockets; the adapter is unusable afterwards. */
  dispose(): Promise<void>;
}

/** Number of rows of a batch, after checking its arrays agree. */
export function batchRows(batch: ModelBatch): number {
  const n = batch.ids.length;
  if (batch.texts.length !== n || batch.metas.length !== n) throw new ModelOutputError('batch arrays differ in length');
  if (batch.features) {
    const d = batch.featureDim ?? 0;
    if (d < 1 || batch.features.length !== n * d) throw new ModelOutputError(`batch features hold ${batch.features.length} values, not ${n} × ${d}`);
  }
  return n;
}

/**
 * The one check on what any model returns: exactly `rows` rows of `labels`
 * finite values in [0, 1], single-label rows summing to 1 ± 1e-3.
 * @param source names the model in the message (`http model http://…`, `onnx model foo.onnx`).
 * @throws ModelOutputError e.g. `http model http://x: probabilities row 3 sums to 0.7, not 1 ± 1e-3`.
 */
export function checkModelOutput(p: Probabilities, rows: number, labels: number, multiLabel: boolean, source: string): Probabilities {
  if (p.rows !== rows) throw new ModelOutputError(`${source}: answered ${p.rows} rows for ${rows} items`);
  if (p.labels !== labels) throw new ModelOutputError(`${source}: answered ${p.labels} probabilities per row, expected ${labels}`);
  try {
    validateProbabilities(p, { kind: multiLabel ? 'multi-label' : 'single-label' });
  } catch (e) {
    if (e instanceof DomainError) throw new ModelOutputError(`${source}: ${e.message}`, e.details);
    throw e;
  }
  return p;
}
