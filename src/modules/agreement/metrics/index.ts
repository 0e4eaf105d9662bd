/**
 * Inter-annotator agreement metrics (pure, no I/O). See `types.ts` for the
 * input shapes and the degenerate-input convention (`value: null` + `reason`;
 * malformed input throws `AgreementInputError`, a `RangeError`).
 */
export { percentAgreement } from './percent.js';
export { cohenKappa, type CohenOptions } from './cohen.js';
export { scottPi } from './scott.js';
export { fleissKappa } from './fleiss.js';
export { gwetAC1 } from './gwet.js';
export { krippendorffAlpha, type KrippendorffOptions } from './krippendorff.js';
export { encodeRatings, countsFromMatrix, categoryValues } from './input.js';
export {
  AgreementInputError,
  type AgreementResult,
  type Categories,
  type CohenWeights,
  type ContingencyTable,
  type CountMatrix,
  type EncodedMatrix,
  type KrippendorffLevel,
  type MultiRaterInput,
  type RatingMatrix,
  type TwoRaterInput,
} from './types.js';
