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
 * Default dimension: 2^18 = 262,144 buckets. SpamAssassin's 4,836 training
 * e-mails hold ~240k distinct word unigrams + bigrams (≈ 1.9 M with char 3–5-grams);
 * at 2^18 about 60% of them share a bucket with no other feature and signed hashing
 * makes the remaining collisions cancel in expectation (see BENCHMARKS.md, issue 3).
 * Rows stay sparse (a few hundred non-zeros), the idf vector is 1 MiB, and the
 * models read sparse rows directly, so the dimension costs only the first layer's
 * weights: 2^18 × labels for softmax; an MLP on text should use a smaller one.
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
