import { z } from 'zod';

export const MODEL_KINDS = ['softmax', 'mlp'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/**
 * Training hyper-parameters of the built-in models: the one source of truth
 * (stored with a model version). `labels` and runtime hooks are not part of it.
 */
export const trainParamsObject = z.strictObject({
  kind: z.enum(MODEL_KINDS),
  seed: z.number().int().min(-(2 ** 31)).max(2 ** 32 - 1),
  /** Upper bound on passes over the training rows (early stopping usually ends sooner). */
  epochs: z.number().int().min(1).max(10_000).default(100),
  batchSize: z.number().int().min(1).max(65_536).default(64),
  /** Adam step size; default 0.01 for softmax, 0.001 for mlp. */
  learningRate: z.number().positive().max(10).optional(),
  /** L2 penalty λ·Σw² on the kernels (not the biases), added to the mean loss. */
  l2: z.number().min(0).max(10).default(1e-5),
  /** mlp: widths of the 1–2 hidden ReLU layers (ignored, and stored as [], for softmax). */
  hidden: z.array(z.number().int().min(1).max(16_384)).max(2).default([256]),
  /** mlp: dropout rate after each hidden layer. */
  dropout: z.number().min(0).max(0.9).default(0.2),
  /** `balanced`: weight each class n / (classes × n_class) (per label and side for multi-label). */
  classWeights: z.enum(['balanced', 'none']).default('none'),
  /** Share of the rows held out (seeded, stratified for single-label) for early stopping; 0 = none. */
  validationFraction: z.number().min(0).max(0.5).default(0.1),
  /**
   * Epochs without improvement before stopping: of the validation loss (best weights
   * are restored), or with validationFraction 0 of the training loss by ≥ 0.01% (convergence).
   */
  patience: z.number().int().min(1).max(1000).default(5),
  /** `plateau`: halve the learning rate after ⌈patience / 2⌉ epochs without improvement; `constant`: never. */
  lrSchedule: z.enum(['plateau', 'constant']).default('plateau'),
  /** Independent sigmoid outputs and binary cross-entropy instead of softmax. */
  multiLabel: z.boolean().default(false),
  /** Dense inputs only: standardise each feature with the training rows' mean and sd (stored in the model). */
  standardize: z.boolean().default(false),
});

export const trainParamsSchema = trainParamsObject.superRefine((p, ctx) => {
  if (p.kind === 'mlp' && p.hidden.length === 0) ctx.addIssue({ code: 'custom', path: ['hidden'], message: 'an mlp needs 1 or 2 hidden layers' });
});

export type TrainParamsInput = z.input<typeof trainParamsSchema>;

/** Parsed parameters with every default resolved (softmax: hidden [] and dropout 0). */
export type TrainParams = Omit<z.output<typeof trainParamsSchema>, 'learningRate'> & { learningRate: number };

export const DEFAULT_LEARNING_RATE: Record<ModelKind, number> = { softmax: 0.01, mlp: 0.001 };

export function resolveParams(p: z.output<typeof trainParamsSchema>): TrainParams {
  const softmax = p.kind === 'softmax';
  return {
    ...p,
    learningRate: p.learningRate ?? DEFAULT_LEARNING_RATE[p.kind],
    hidden: softmax ? [] : p.hidden,
    dropout: softmax ? 0 : p.dropout,
  };
}
