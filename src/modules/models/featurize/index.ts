/**
 * Built-in hashed n-gram text featurizer (issue 3): pure functions, no I/O,
 * imports `src/core` only. Text → L2-normalised sparse rows for the TF.js models.
 */
export {
  DEFAULT_DIMENSION,
  MAX_DIMENSION,
  MIN_DIMENSION,
  featurizerConfigSchema,
  type FeaturizerConfig,
  type FeaturizerConfigInput,
} from './config.js';
export { featurize, fitFeaturizer, fitTransform, hashCounts, parseFeaturizerConfig, type FittedFeaturizer } from './featurizer.js';
export { murmur3Bytes, murmur3String, murmur3Utf16 } from './hash.js';
export {
  canonicalJson,
  decodeFeaturizer,
  encodeFeaturizer,
  featurizerFromJSON,
  featurizerToJSON,
  fittedFeaturizerJsonSchema,
  type FittedFeaturizerJson,
} from './serialize.js';
export { densify, isSparseRows, rowNorms, selectRows, sliceRows, type SparseRows } from './sparse.js';
export { normalizeText, tokenize, TOKEN_PATTERN, type TokenizeOptions } from './tokenize.js';
