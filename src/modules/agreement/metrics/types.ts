/**
 * Shared input/output types for the inter-annotator agreement metrics.
 *
 * Everything in `metrics/` is pure: no I/O, no clock, no globals. Inputs are
 * validated and mapped to integer category codes once; every metric then runs
 * count-based algorithms over typed arrays (O(units × coders + k) time, no
 * per-pair loops over units, no k × k matrices).
 *
 * ## Degenerate-input convention (one rule for every metric)
 *
 * When a coefficient is mathematically undefined for the data (0/0: e.g. no
 * unit with two or more ratings, every pairable value in a single category so
 * the expected/chance disagreement is zero, both Cohen raters using one and
 * the same category), the metric returns `value: null` together with a
 * human-readable `reason`. It never returns NaN/Infinity and never substitutes
 * a made-up 1 or 0.
 *
 * Malformed input (empty data, ragged rows, a label that is not a declared
 * category, fewer coders than the metric requires, bad counts/values) throws
 * {@link AgreementInputError}, a `RangeError` whose message names the offending
 * unit / coder / category index.
 */

/** Ordered category list; order = ordinal position (0..k-1) and Cohen weight spacing. */
export type Categories = readonly string[];

/**
 * Reliability data with string labels: `units[u][c]` is coder `c`'s label for
 * unit `u`, or `null` when coder `c` did not rate unit `u`. Every row must have
 * the same length (= number of coders).
 *
 * `values` (optional, same length as `categories`) gives the numeric value of
 * each category for Krippendorff's interval and ratio levels. Default: when
 * every category name is a finite number (`"1"`, `"2.5"`, …) the parsed
 * numbers; otherwise the positions 0..k-1.
 *
 * @example
 * const m: RatingMatrix = {
 *   categories: ['neg', 'neu', 'pos'],
 *   units: [['pos', 'pos'], ['neg', null], ['neu', 'pos']],
 * };
 */
export interface RatingMatrix {
  readonly categories: Categories;
  readonly units: ReadonlyArray<ReadonlyArray<string | null>>;
  readonly values?: readonly number[];
}

/**
 * Pre-encoded reliability data (the fast path). `codes` is row-major
 * `nUnits × nCoders`: `codes[u * nCoders + c]` is the index into `categories`
 * of coder `c`'s label for unit `u`, or `-1` when missing.
 * `categories` is only used for `k = categories.length`, the default
 * interval/ratio values and error messages.
 */
export interface EncodedMatrix {
  readonly codes: Int32Array;
  readonly nUnits: number;
  readonly nCoders: number;
  readonly categories: Categories;
  readonly values?: readonly number[];
}

/**
 * Per-unit category counts (the "Fleiss table"): `counts[u][k]` = number of
 * raters who put unit `u` into `categories[k]`. Row totals may differ
 * (unequal numbers of raters per unit). Coders are anonymous in this form.
 */
export interface CountMatrix {
  readonly categories: Categories;
  readonly counts: ReadonlyArray<ReadonlyArray<number>>;
  readonly values?: readonly number[];
}

/**
 * Two-rater contingency table: `table[i][j]` = number of units with rater 1 =
 * `categories[i]` and rater 2 = `categories[j]`.
 */
export interface ContingencyTable {
  readonly categories: Categories;
  readonly table: ReadonlyArray<ReadonlyArray<number>>;
}

/** Any per-unit input accepted by the multi-coder metrics. */
export type MultiRaterInput = RatingMatrix | EncodedMatrix | CountMatrix;
/** Any input accepted by the two-rater metrics (Cohen, Scott). */
export type TwoRaterInput = RatingMatrix | EncodedMatrix | ContingencyTable;

export type KrippendorffLevel = 'nominal' | 'ordinal' | 'interval' | 'ratio';
export type CohenWeights = 'none' | 'linear' | 'quadratic';

/**
 * Result of every metric.
 *
 * - `value`: the coefficient, or `null` when undefined (see `reason`).
 * - `units`: units that carried agreement information — units with ≥ 2
 *   ratings (multi-coder metrics, Krippendorff's pairable units) or units rated
 *   by both coders (Cohen, Scott).
 * - `coders`: coder columns with at least one rating; for a `CountMatrix` /
 *   `ContingencyTable` (anonymous raters) the largest number of ratings on one
 *   unit.
 * - `observed` / `expected`: the two ingredients of the coefficient.
 *   Kappa-type metrics: observed agreement p_o and chance agreement p_e
 *   (`value = (p_o − p_e)/(1 − p_e)`; weighted Cohen: observed and expected
 *   weighted disagreement, `value = 1 − observed/expected`).
 *   Krippendorff: observed and expected disagreement D_o, D_e
 *   (`value = 1 − D_o/D_e`). Percent agreement: `observed = value`,
 *   `expected = null`. `null` when not computable.
 */
export interface AgreementResult {
  value: number | null;
  reason?: string;
  units: number;
  coders: number;
  observed: number | null;
  expected: number | null;
}

/**
 * Thrown for malformed input. It is a `RangeError`, so callers may catch
 * either. `unit` / `coder` / `category` locate the problem when known.
 */
export class AgreementInputError extends RangeError {
  readonly unit: number | undefined;
  readonly coder: number | undefined;
  readonly category: number | undefined;

  constructor(message: string, where: { unit?: number; coder?: number; category?: number } = {}) {
    super(message);
    this.name = 'AgreementInputError';
    this.unit = where.unit;
    this.coder = where.coder;
    this.category = where.category;
  }
}
