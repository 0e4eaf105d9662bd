import { z } from 'zod';

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

const range = (lo: number, hi: number, what: string) =>
  z
    .strictObject({
      min: z.number().int().min(lo).max(hi),
      max: z.number().int().min(lo).max(hi),
    })
    .refine((r) => r.min <= r.max, { message: `${what}: min must be ≤ max` });

/** Smallest and largest dimension accepted: 2^4 … 2^24 (a 2^24 idf vector is 64 MiB). */
export const MIN_DIMENSION = 2 ** 4;
export const MAX_DIMENSION = 2 ** 24;

/**
 * Default dimension: 2^18 = 262,144 buckets. Measured on SpamAssassin (4,836 training
 * e-mails, ~49k distinct words and ~368k distinct word bigrams; BENCHMARKS.md, issue 3):
 * softmax test accuracy 0.987 at 2^14 and 2^16, 0.988 at 2^18, 0.989 at 2^20, while
 * training time grows with the dimension (4.3 s at 2^16, 5.5 s at 2^18, 8.5 s at 2^20).
 * Most features share a bucket at 2^18; signed hashing makes collisions cancel in
 * expectation and the frequent, informative n-grams dominate. Costs that scale with
 * it: the idf vector (4 bytes per bucket: 1 MiB) and the models' first layer
 * (2^18 × labels weights for softmax: 2 MiB for 2 labels; an MLP on text wants a
 * narrow first hidden layer, e.g. 64 units = 64 MiB, or a smaller dimension).
 * Rows stay sparse (~350 non-zeros per e-mail) and are never densified in training.
 */
export const DEFAULT_DIMENSION = 2 ** 18;

/**
 * Hashed n-gram text featurizer settings: the one source of truth (types are
 * derived; the fitted form stores the parsed object as JSON).
 */
export const featurizerConfigSchema = z.strictObject({
  type: z.literal('hashed-ngrams').default('hashed-ngrams'),
  /** Number of hash buckets (columns): a power of two. */
  dimension: z
    .number()
    .int()
    .min(MIN_DIMENSION)
    .max(MAX_DIMENSION)
    .refine(isPowerOfTwo, { message: 'dimension must be a power of two' })
    .default(DEFAULT_DIMENSION),
  /** Word n-gram orders, e.g. {min:1,max:2} = unigrams + bigrams. */
  wordNgrams: range(1, 3, 'wordNgrams').default({ min: 1, max: 2 }),
  /** Character n-grams inside word boundaries (each token padded with one space each side), or null for none. */
  charNgrams: range(1, 8, 'charNgrams').nullable().default(null),
  lowercase: z.boolean().default(true),
  /**
   * `tfidf`: (1 + ln tf) × idf, idf = ln((1 + n) / (1 + df)) + 1 fitted on the training
   * documents (buckets no training document reached, or fewer than minDf did, get idf 0);
   * `log-count`: ln(1 + tf), nothing fitted. Both are L2-normalised per row.
   */
  weighting: z.enum(['tfidf', 'log-count']).default('tfidf'),
  /** tfidf only: buckets seen in fewer training documents get weight 0. */
  minDf: z.number().int().min(1).default(1),
  /** Signed hashing: bit 31 of the hash gives the feature a sign of ±1, so collisions cancel in expectation. */
  signed: z.boolean().default(true),
  /** Hash seed (unsigned 32-bit). */
  seed: z.number().int().min(0).max(0xffffffff).default(0),
});

/** Parsed settings (every field present). */
export type FeaturizerConfig = z.output<typeof featurizerConfigSchema>;
/** What a caller may pass (defaults fill the rest). */
export type FeaturizerConfigInput = z.input<typeof featurizerConfigSchema>;
