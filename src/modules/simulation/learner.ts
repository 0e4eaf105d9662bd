/**
 * The model in the simulated loop, behind one small interface: fit on the labelled
 * pool rows, class probabilities for the pool and the test set, and a committee for
 * the committee strategies.
 *
 * - `softmax`: multinomial logistic regression fitted by L-BFGS (softmax.ts), warm-started
 *   from the previous round's weights unless `warmStart` is off, with the iteration cap
 *   of {@link warmIterations}. Committee: K members
 *   fitted on bootstrap resamples of the labelled rows (row weights = draw counts),
 *   each warm-started from the current model.
 * - `mlp`: the built-in TF.js MLP trained by `trainModel` (the code `quorum train` runs),
 *   from scratch each round (it has no warm start). Committee: MC dropout (K stochastic
 *   forward passes with the model's dropout rate, Gal & Ghahramani 2016), dense features only.
 */
import type { Probabilities } from '../../core/labels.js';
import type { Rng } from '../../core/random.js';
import { initBackend, predictProba, tf, trainModel, type FeatureMatrix, type TfModel, type TrainParamsInput } from '../models/tfjs/index.js';
import { isSparseRows, selectRows } from '../models/featurize/index.js';
import type { Prepared } from './prepare.js';
import { SoftmaxModel, gatherDense, type SoftmaxOptions } from './softmax.js';

import { DEFAULT_WARM_MAX_ITER, MODELS, type ModelName } from './options.js';

export { DEFAULT_WARM_MAX_ITER, MODELS, type ModelName };

export interface ModelConfig {
  model: ModelName;
  softmax?: SoftmaxOptions & {
    /** Start each round from the previous round's weights and curvature pairs (default true). */
    warmStart?: boolean;
    /** Iteration cap of warm-started fits, raised when the labelled set grew a lot (see warmIterations; default {@link DEFAULT_WARM_MAX_ITER}). */
    warmMaxIter?: number;
  };
  /** mlp: trainModel parameters (kind, labels and seed are set per fit). */
  mlp?: Omit<TrainParamsInput, 'kind' | 'seed'>;
}

/**
 * MLP parameters for small labelled sets, over trainModel's defaults: no validation
 * slice (20 labels cannot spare one; training stops when the training loss stalls),
 * batches of 32, at most 200 epochs. The patience is set per fit, see {@link mlpPatience}.
 */
export const DEFAULT_MLP_PARAMS: Omit<TrainParamsInput, 'kind' | 'seed'> = { validationFraction: 0, batchSize: 32, epochs: 200 };

/** Adam steps without improvement of the training loss before an MLP fit stops. */
export const MLP_PATIENCE_STEPS = 200;

/**
 * Patience (in epochs) of an MLP fit on n rows: at least 5 epochs and at least
 * {@link MLP_PATIENCE_STEPS} Adam steps. trainModel's default of 5 epochs stops a fit on
 * 20 rows (one batch an epoch, and a noisy epoch loss under dropout) after ~15 steps, near
 * chance accuracy; measured on 4 Gaussian blobs, 28 labels: 0.17 test accuracy with patience
 * 5, 0.92 with 200 steps. Example: batch 32 → n = 20: 200 epochs, n = 600: 11, n = 2,000: 5.
 */
export function mlpPatience(n: number, batchSize: number): number {
  return Math.max(5, Math.ceil(MLP_PATIENCE_STEPS / Math.max(1, Math.ceil(n / batchSize))));
}

export interface FitStats {
  ms: number;
  /** L-BFGS iterations (softmax) or epochs (mlp). */
  iterations: number;
}

export interface Learner {
  fit(rows: Int32Array): Promise<FitStats>;
  predictPool(): Probabilities;
  predictTest(): Probabilities;
  /** K members' probabilities over the pool, for the committee strategies. */
  committee(k: number, rng: Rng): Promise<Probabilities[]>;
  dispose(): void;
}


/**
 * Iteration cap of a warm-started fit: `warmMaxIter`, raised in proportion to how much
 * the labelled set grew since the previous fit — max(warmMaxIter, ⌈maxIter · added / previous⌉),
 * at most maxIter — so early rounds (20 → 120 labels: 5×) get a full fit and late ones
 * (2,900 → 3,000) the small cap. Without warmMaxIter: maxIter.
 * Example: maxIter 100, warmMaxIter 20: 20 → 120 labels 100, 500 → 600 labels 20, 200 → 300 labels 50.
 */
export function warmIterations(maxIter: number, warmMaxIter: number | undefined, previous: number, now: number): number {
  if (warmMaxIter === undefined || previous <= 0) return maxIter;
  return Math.min(maxIter, Math.max(warmMaxIter, Math.ceil((maxIter * (now - previous)) / previous)));
}

/** Bootstrap draw counts: n draws with replacement from n rows; rows drawn at least once and their counts. */
export function bootstrap(n: number, rng: Rng): { at: Int32Array; counts: Float64Array } {
  const c = new Int32Array(n);
  for (let i = 0; i < n; i++) c[rng.int(n)]!++;
  const at: number[] = [];
  for (let i = 0; i < n; i++) if (c[i]! > 0) at.push(i);
  return { at: Int32Array.from(at), counts: Float64Array.from(at, (i) => c[i]!) };
}

class SoftmaxLearner implements Learner {
  private theta: Float64Array | null = null;
  private rows: Int32Array = new Int32Array(0);
  private readonly warm: boolean;
  private readonly warmMaxIter: number;
  private readonly fitOpts: SoftmaxOptions;
  constructor(private readonly data: Prepared, private readonly model: SoftmaxModel, opts: ModelConfig['softmax'] = {}) {
    const { warmStart, warmMaxIter, ...fitOpts } = opts;
    this.warm = warmStart ?? true;
    this.warmMaxIter = warmMaxIter ?? DEFAULT_WARM_MAX_ITER;
    this.fitOpts = fitOpts;
  }
  private targets(rows: Int32Array): Int32Array {
    return Int32Array.from(rows, (r) => this.data.yPool[r]!);
  }
  fit(rows: Int32Array): Promise<FitStats> {
    const maxIter = warmIterations(this.fitOpts.maxIter ?? 100, this.warmMaxIter, this.rows.length, rows.length);
    const warm = this.warm && this.theta ? { start: this.theta, maxIter } : {};
    const r = this.model.fit(this.data.pool, rows, this.targets(rows), { ...this.fitOpts, ...warm });
    this.theta = r.theta;
    this.rows = rows;
    return Promise.resolve({ ms: r.report.ms, iterations: r.report.iterations });
  }
  predictPool(): Probabilities {
    return this.model.predict(this.data.pool, this.need());
  }
  predictTest(): Probabilities {
    return this.model.predict(this.data.test, this.need());
  }
  committee(k: number, rng: Rng): Promise<Probabilities[]> {
    const theta = this.need();
    const out: Probabilities[] = [];
    for (let m = 0; m < k; m++) {
      const { at, counts } = bootstrap(this.rows.length, rng);
      const rows = Int32Array.from(at, (i) => this.rows[i]!);
      const member = this.model.fit(this.data.pool, rows, this.targets(rows), { ...this.fitOpts, maxIter: Math.min(this.warmMaxIter, this.fitOpts.maxIter ?? 100), start: theta, weights: counts });
      out.push(this.model.predict(this.data.pool, member.theta));
    }
    return Promise.resolve(out);
  }
  private need(): Float64Array {
    if (!this.theta) throw new Error('the model is not fitted yet');
    return this.theta;
  }
  dispose(): void {
    // The SoftmaxModel (device copies of the pool and test set) is shared per thread: see createLearner / releaseData.
  }
}

class MlpLearner implements Learner {
  private model: TfModel | null = null;
  private fits = 0;
  constructor(
    private readonly data: Prepared,
    private readonly params: Omit<TrainParamsInput, 'kind' | 'seed'>,
    private readonly seed: number,
  ) {}
  async fit(rows: Int32Array): Promise<FitStats> {
    const t0 = performance.now();
    const x = this.data.pool;
    const sub: FeatureMatrix = isSparseRows(x) ? selectRows(x, rows) : { rows: rows.length, cols: x.cols, data: gatherDense(x, rows) };
    const y = Int32Array.from(rows, (r) => this.data.yPool[r]!);
    const patience = this.params.patience ?? Math.min(10_000, mlpPatience(rows.length, this.params.batchSize ?? 64));
    const epochs = Math.max(this.params.epochs ?? 100, patience);
    const r = await trainModel(sub, y, { ...this.params, patience, epochs, kind: 'mlp', seed: this.seed * 1000 + this.fits++, labels: this.data.labels });
    this.model?.dispose();
    this.model = r.model;
    return { ms: performance.now() - t0, iterations: r.epochsRun };
  }
  predictPool(): Probabilities {
    return predictProba(this.need(), this.data.pool);
  }
  predictTest(): Probabilities {
    return predictProba(this.need(), this.data.test);
  }
  committee(k: number, rng: Rng): Promise<Probabilities[]> {
    const model = this.need();
    const x = this.data.pool;
    if (isSparseRows(x)) throw new Error('MC dropout committees need dense features (use --model softmax for text)');
    const rate = model.spec.params.dropout;
    const out: Probabilities[] = [];
    for (let m = 0; m < k; m++) {
      const seed = rng.int(2 ** 31);
      const data = new Float32Array(x.rows * model.spec.labels.length);
      const step = 4096;
      for (let s = 0; s < x.rows; s += step) {
        const e = Math.min(x.rows, s + step);
        const p = tf.tidy(() => {
          let h: tf.Tensor2D = tf.tensor2d(x.data.subarray(s * x.cols, e * x.cols), [e - s, x.cols]);
          const w = model.weights;
          let i = model.spec.standardize ? 2 : 0;
          if (model.spec.standardize) h = tf.mul(tf.sub(h, w[0]!), w[1]!) as tf.Tensor2D;
          for (let l = 0; l < model.spec.hidden.length; l++) {
            h = tf.relu(tf.add(tf.matMul(h, w[i++] as tf.Tensor2D), w[i++]!)) as tf.Tensor2D;
            if (rate > 0) h = tf.dropout(h, rate, undefined, seed + l * 7919 + s) as tf.Tensor2D;
          }
          return tf.softmax(tf.add(tf.matMul(h, w[i++] as tf.Tensor2D), w[i++]!));
        });
        data.set(p.dataSync() as Float32Array, s * model.spec.labels.length);
        p.dispose();
      }
      out.push({ rows: x.rows, labels: model.spec.labels.length, data });
    }
    return Promise.resolve(out);
  }
  private need(): TfModel {
    if (!this.model) throw new Error('the model is not fitted yet');
    return this.model;
  }
  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }
}

/** Per thread: one SoftmaxModel per prepared dataset, so the pool and test set go to the device once. */
const softmaxModels = new WeakMap<Prepared, SoftmaxModel>();

export async function createLearner(data: Prepared, cfg: ModelConfig, seed: number): Promise<Learner> {
  await initBackend();
  if (cfg.model === 'mlp') return new MlpLearner(data, { ...DEFAULT_MLP_PARAMS, ...(cfg.mlp ?? {}) }, seed);
  let model = softmaxModels.get(data);
  if (!model) softmaxModels.set(data, (model = new SoftmaxModel(data.labels.length, data.pool)));
  return new SoftmaxLearner(data, model, cfg.softmax);
}

/** Frees the device copies held for a dataset in this thread. */
export function releaseData(data: Prepared): void {
  softmaxModels.get(data)?.dispose();
  softmaxModels.delete(data);
}
