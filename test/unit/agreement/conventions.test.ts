/**
 * Degenerate-input convention (value null + reason, never NaN, never a made-up
 * 1), input errors (AgreementInputError, a RangeError, naming unit/coder), and
 * the worked examples quoted in the doc comments.
 */
import { describe, expect, it } from 'vitest';
import {
  AgreementInputError,
  cohenKappa,
  countsFromMatrix,
  encodeRatings,
  fleissKappa,
  gwetAC1,
  krippendorffAlpha,
  percentAgreement,
  scottPi,
  type AgreementResult,
  type RatingMatrix,
} from '../../../src/modules/agreement/metrics/index.js';

const AB = ['a', 'b'];
const LEVELS = ['nominal', 'ordinal', 'interval', 'ratio'] as const;

function expectUndefined(r: AgreementResult, reason: RegExp): void {
  expect(r.value).toBeNull();
  expect(r.reason).toMatch(reason);
  expect(Number.isNaN(r.observed)).toBe(false);
  expect(Number.isNaN(r.expected)).toBe(false);
}

describe('worked examples from the doc comments', () => {
  it('percentAgreement', () => {
    const r = percentAgreement({ categories: AB, units: [['a', 'a'], ['a', 'b'], ['b', 'b'], ['a', null]] });
    expect(r.value).toBeCloseTo(2 / 3, 12);
    expect(r).toMatchObject({ units: 3, coders: 2 });
  });
  it('fleissKappa (matrix and counts)', () => {
    const r = fleissKappa({ categories: AB, units: [['a', 'a'], ['a', 'a'], ['a', 'b'], ['b', 'b']] });
    expect(r.value).toBeCloseTo(7 / 15, 12);
    expect(r.observed).toBeCloseTo(3 / 4, 12);
    expect(r.expected).toBeCloseTo(17 / 32, 12);
    expect(fleissKappa({ categories: AB, counts: [[3, 0], [2, 1], [0, 3], [1, 2]] }).value).toBeCloseTo(1 / 3, 12);
  });
  it('gwetAC1', () => {
    const r = gwetAC1({ categories: AB, units: [['a', 'a'], ['a', 'a'], ['a', 'b'], ['b', 'b']] });
    expect(r.value).toBeCloseTo(9 / 17, 12);
    expect(r.expected).toBeCloseTo(15 / 32, 12);
  });
  it('cohenKappa (table, quadratic)', () => {
    const grant = cohenKappa({ categories: ['yes', 'no'], table: [[20, 5], [10, 15]] });
    expect(grant.value).toBeCloseTo(0.4, 12);
    expect(grant.observed).toBeCloseTo(0.7, 12);
    expect(grant.expected).toBeCloseTo(0.5, 12);
    const q = cohenKappa(
      { categories: ['1', '2', '3'], units: [['1', '1'], ['1', '2'], ['3', '3'], ['2', '3']] },
      { weights: 'quadratic' },
    );
    expect(q.value).toBeCloseTo(9 / 13, 12);
    expect(q.observed).toBeCloseTo(1 / 2, 12);
    expect(q.expected).toBeCloseTo(13 / 8, 12);
  });
  it('scottPi', () => {
    expect(scottPi({ categories: ['yes', 'no'], table: [[20, 5], [10, 15]] }).value).toBeCloseTo(13 / 33, 12);
  });
  it('krippendorffAlpha', () => {
    expect(krippendorffAlpha({ categories: AB, units: [['a', 'a'], ['a', 'b'], ['b', 'b']] }).value).toBeCloseTo(4 / 9, 12);
  });
  it('encodeRatings / countsFromMatrix', () => {
    const e = encodeRatings({ categories: AB, units: [['a', null], ['b', 'b']] });
    expect(Array.from(e.codes)).toEqual([0, -1, 1, 1]);
    expect(e).toMatchObject({ nUnits: 2, nCoders: 2 });
    expect(countsFromMatrix({ categories: AB, units: [['a', 'b', 'a'], ['b', null, 'b']] }).counts).toEqual([
      [2, 1],
      [0, 2],
    ]);
  });
});

describe('degenerate inputs → value null with a reason', () => {
  const constant: RatingMatrix = { categories: ['1', '2', '3'], units: [['2', '2', '2'], ['2', '2', null], ['2', null, null]] };
  const singles: RatingMatrix = { categories: AB, units: [['a', null], [null, 'b'], [null, null]] };

  it('Krippendorff: no variation (D_e = 0) at every level', () => {
    for (const level of LEVELS) {
      const r = krippendorffAlpha(constant, { level });
      expectUndefined(r, /D_e is 0/);
      expect(r).toMatchObject({ units: 2, coders: 3, observed: 0, expected: 0 });
    }
  });
  it('Krippendorff: interval with distinct categories but equal values is still D_e = 0', () => {
    const r = krippendorffAlpha({ categories: ['x', 'y'], values: [5, 5], units: [['x', 'y'], ['y', 'y']] }, { level: 'interval' });
    expectUndefined(r, /D_e is 0/);
  });
  it('Krippendorff: no pairable unit / all missing', () => {
    expectUndefined(krippendorffAlpha(singles), /no pairable unit/);
    expectUndefined(krippendorffAlpha({ categories: AB, units: [[null, null]] }), /no pairable unit/);
  });
  it('Fleiss: every rating in one category; no unit with ≥ 2 ratings', () => {
    const r = fleissKappa(constant);
    expectUndefined(r, /single category/);
    expect(r).toMatchObject({ units: 2, observed: 1, expected: 1 });
    expectUndefined(fleissKappa(singles), /no unit has 2 or more ratings/);
    expectUndefined(fleissKappa({ categories: AB, counts: [[1, 0], [0, 0]] }), /no unit has 2 or more ratings/);
  });
  it('Gwet AC1: a single category is defined (p_e = 0 → AC1 = p_a), one declared category is not', () => {
    const r = gwetAC1(constant);
    expect(r.value).toBe(1);
    expect(r.expected).toBe(0);
    expectUndefined(gwetAC1({ categories: ['only'], units: [['only', 'only']] }), /q ≥ 2/);
    expectUndefined(gwetAC1(singles), /no unit has 2 or more ratings/);
  });
  it('percent agreement: no co-rated unit', () => {
    expectUndefined(percentAgreement(singles), /no unit has 2 or more ratings/);
    expect(percentAgreement(constant).value).toBe(1);
  });
  it('Cohen (all weightings) and Scott: both coders use the same single category', () => {
    const same = { categories: ['a', 'b', 'c'], units: [['b', 'b'], ['b', 'b']] };
    for (const weights of ['none', 'linear', 'quadratic'] as const) {
      expectUndefined(cohenKappa(same, { weights }), /chance agreement is 1/);
      expectUndefined(cohenKappa({ categories: AB, table: [[0, 0], [0, 7]] }, { weights }), /chance agreement is 1/);
    }
    expectUndefined(scottPi(same), /chance agreement is 1/);
  });
  it('Cohen and Scott: no unit rated by both coders (listwise deletion)', () => {
    expectUndefined(cohenKappa(singles), /no unit is rated by both/);
    expectUndefined(scottPi(singles), /no unit is rated by both/);
    expectUndefined(cohenKappa({ categories: AB, table: [[0, 0], [0, 0]] }), /no unit is rated by both/);
  });
  it('one constant coder against a varying one is defined (κ = 0), not degenerate', () => {
    const r = cohenKappa({ categories: AB, units: [['a', 'a'], ['a', 'b']] });
    expect(r.value).toBe(0);
    expect(r.reason).toBeUndefined();
  });
  it('perfect agreement with variation is exactly 1 for every metric', () => {
    const m: RatingMatrix = { categories: ['1', '2', '3'], units: [['1', '1'], ['2', '2'], ['3', '3'], ['3', null]] };
    for (const level of LEVELS) expect(krippendorffAlpha(m, { level }).value).toBe(1);
    for (const weights of ['none', 'linear', 'quadratic'] as const) expect(cohenKappa(m, { weights }).value).toBe(1);
    expect(scottPi(m).value).toBe(1);
    expect(fleissKappa(m).value).toBe(1);
    expect(gwetAC1(m).value).toBe(1);
    expect(percentAgreement(m).value).toBe(1);
  });
});

describe('invalid input throws AgreementInputError (a RangeError) naming the location', () => {
  function expectInputError(fn: () => unknown, message: RegExp, where: { unit?: number; coder?: number; category?: number } = {}): void {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AgreementInputError);
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toMatch(message);
    expect(err).toMatchObject(where);
  }

  it('label not among the categories', () => {
    const m = { categories: AB, units: [['a', 'b'], ['c', 'a']] };
    for (const f of [krippendorffAlpha, fleissKappa, gwetAC1, percentAgreement, cohenKappa, scottPi, encodeRatings]) {
      expectInputError(() => f(m), /unit 1, coder 0: label "c" is not one of the declared categories/, { unit: 1, coder: 0 });
    }
  });
  it('ragged rows', () => {
    expectInputError(() => krippendorffAlpha({ categories: AB, units: [['a', 'b'], ['a', 'b'], ['a']] }), /ragged data: unit 2 has 1/, { unit: 2 });
  });
  it('empty data and bad categories', () => {
    expectInputError(() => fleissKappa({ categories: AB, units: [] }), /non-empty/);
    expectInputError(() => fleissKappa({ categories: [], units: [['a', 'a']] }), /categories must be a non-empty/);
    expectInputError(() => fleissKappa({ categories: ['a', 'b', 'a'], units: [['a', 'a']] }), /categories\[2\] "a" is a duplicate/, { category: 2 });
    expectInputError(() => fleissKappa({ categories: AB, units: [[]] }), /unit 0 has no coder columns/);
    expectInputError(() => fleissKappa({ categories: AB, counts: [] }), /non-empty/);
  });
  it('fewer than 2 coders / not exactly 2 for Cohen and Scott', () => {
    const one = { categories: AB, units: [['a'], ['b']] };
    for (const f of [krippendorffAlpha, fleissKappa, gwetAC1, percentAgreement, cohenKappa, scottPi]) {
      expectInputError(() => f(one), /at least 2 coders, got 1/);
    }
    const three = { categories: AB, units: [['a', 'a', 'b']] };
    expectInputError(() => cohenKappa(three), /exactly 2 coders, got 3/);
    expectInputError(() => scottPi(three), /exactly 2 coders, got 3/);
  });
  it('encoded fast path: out-of-range code, wrong length, empty', () => {
    const base = { nUnits: 2, nCoders: 2, categories: AB };
    expectInputError(() => krippendorffAlpha({ ...base, codes: Int32Array.from([0, 1, 1, 2]) }), /unit 1, coder 1: code 2 is out of range/, { unit: 1, coder: 1 });
    expectInputError(() => fleissKappa({ ...base, codes: Int32Array.from([0, -2, 1, 1]) }), /unit 0, coder 1: code -2/, { unit: 0, coder: 1 });
    expectInputError(() => cohenKappa({ ...base, codes: Int32Array.from([0, 1, 5, 1]) }), /unit 1, coder 0: code 5/);
    expectInputError(() => gwetAC1({ ...base, codes: Int32Array.from([0, 1, 1]) }), /codes has length 3, expected/);
    expectInputError(() => percentAgreement({ ...base, nUnits: 0, codes: new Int32Array(0) }), /data is empty/);
  });
  it('bad counts and contingency tables', () => {
    expectInputError(() => fleissKappa({ categories: AB, counts: [[1, 1], [2, -1]] }), /unit 1, category 1: count must be a non-negative integer/, { unit: 1, category: 1 });
    expectInputError(() => fleissKappa({ categories: AB, counts: [[1, 1], [1.5, 1]] }), /unit 1, category 0/);
    expectInputError(() => gwetAC1({ categories: AB, counts: [[1, 1, 0]] }), /unit 0: counts row must have one entry per category/);
    expectInputError(() => cohenKappa({ categories: AB, table: [[1, 2]] }), /must have 2 rows/);
    expectInputError(() => scottPi({ categories: AB, table: [[1, 2], [3]] }), /row 1 must have 2 entries/);
    expectInputError(() => scottPi({ categories: AB, table: [[1, 2], [3, Number.NaN]] }), /cell \[1\]\[1\]/);
  });
  it('bad values, levels and weights', () => {
    const m = { categories: ['0', '1', '2'], units: [['0', '1'], ['2', '2']] };
    expectInputError(() => krippendorffAlpha({ ...m, values: [1, 2] }, { level: 'interval' }), /values must have one number per category \(3\), got 2/);
    expectInputError(() => krippendorffAlpha({ ...m, values: [1, Number.POSITIVE_INFINITY, 2] }, { level: 'interval' }), /values\[1\]/);
    expectInputError(() => krippendorffAlpha({ ...m, values: [-1, 0, 1] }, { level: 'ratio' }), /non-negative values; category 0/, { category: 0 });
    expectInputError(() => krippendorffAlpha(m, { level: 'cardinal' as never }), /unknown Krippendorff level/);
    expectInputError(() => cohenKappa({ ...m, categories: ['0', '1', '2'] }, { weights: 'cubic' as never }), /unknown Cohen weights/);
  });
});

describe('interval/ratio category values', () => {
  it('default: numeric category names are parsed; otherwise positions 0..k-1', () => {
    const units = [['1', '2'], ['10', '10'], ['2', '1'], ['1', '10']];
    const numeric = krippendorffAlpha({ categories: ['1', '2', '10'], units }, { level: 'interval' });
    const explicit = krippendorffAlpha({ categories: ['1', '2', '10'], units, values: [1, 2, 10] }, { level: 'interval' });
    const positions = krippendorffAlpha({ categories: ['1', '2', '10'], units, values: [0, 1, 2] }, { level: 'interval' });
    expect(numeric.value).toBe(explicit.value);
    expect(numeric.value).not.toBeCloseTo(positions.value ?? Number.NaN, 6);
    const named = krippendorffAlpha(
      { categories: ['lo', 'mid', 'hi'], units: units.map((r) => r.map((x) => ({ '1': 'lo', '2': 'mid', '10': 'hi' })[x] ?? null)) },
      { level: 'interval' },
    );
    expect(named.value).toBeCloseTo(positions.value ?? Number.NaN, 12);
  });
});
