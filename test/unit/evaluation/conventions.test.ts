/**
 * The shared conventions: ValidationError naming the field for malformed
 * input, `null` + reason (never NaN) for undefined values, zero rows and a
 * single class, and evaluateSingleLabel / evaluateMultiLabel as plain JSON.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/random.js';
import {
  accuracy,
  aurocOneVsRest,
  brierScore,
  confusionMatrix,
  evaluateMultiLabel,
  evaluateSingleLabel,
  expectedCalibrationError,
  hammingLoss,
  logLoss,
  macroF1,
  mcnemarExact,
  pairedBootstrap,
  perClassMetrics,
  predictedClasses,
  predictionAgreement,
  stabilizingPredictions,
  weightedF1,
} from '../../../src/modules/evaluation/metrics/index.js';
import { i32, probs, u8 } from './helpers.js';

/** Runs fn, expects a ValidationError whose first detail names `field`. */
function expectInvalid(fn: () => unknown, field: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ValidationError);
  const v = err as ValidationError;
  expect(v.details[0]?.field).toBe(field);
  expect(v.message).toContain(field);
  expect(v.status).toBe(400);
}

/** No NaN / ±Infinity anywhere in a JSON-able value, and a lossless JSON round trip. */
function expectCleanJson(x: unknown): void {
  const walk = (v: unknown): void => {
    if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      expect(ArrayBuffer.isView(v)).toBe(false);
      Object.values(v).forEach(walk);
    }
  };
  walk(x);
  expect(JSON.parse(JSON.stringify(x))).toEqual(x);
}

describe('malformed input throws ValidationError naming the field', () => {
  const p = probs([[0.7, 0.3], [0.4, 0.6]]);
  it('shape mismatches', () => {
    expectInvalid(() => accuracy(i32([0, 1, 0]), p), 'p.rows');
    expectInvalid(() => accuracy(i32([0, 1]), { rows: 2, labels: 2, data: new Float32Array(3) }), 'p.data');
    expectInvalid(() => accuracy(i32([]), { rows: 0, labels: 0, data: new Float32Array(0) }), 'p.labels');
    expectInvalid(() => hammingLoss(u8([0, 1, 1]), p), 'truth');
    expectInvalid(() => mcnemarExact(u8([1, 0]), u8([1])), 'correctB');
    expectInvalid(() => pairedBootstrap(i32([0, 1]), i32([0]), i32([0, 1])), 'predA');
    expectInvalid(() => predictionAgreement(i32([0, 1]), i32([0])), 'predB');
  });
  it('label index out of range', () => {
    expectInvalid(() => accuracy(i32([0, 2]), p), 'truth[1]');
    expectInvalid(() => logLoss(i32([-1, 0]), p), 'truth[0]');
    expectInvalid(() => pairedBootstrap(i32([0, 1]), i32([0, 3]), i32([0, 1]), { labels: 2 }), 'predA[1]');
    expectInvalid(() => predictionAgreement(i32([0, -1]), i32([0, 1])), 'predA[1]');
  });
  it('NaN or out-of-range probabilities', () => {
    const bad = probs([[0.7, 0.3], [0.4, 0.6]]);
    bad.data[3] = NaN;
    expectInvalid(() => brierScore(i32([0, 1]), bad), 'p.data[3]');
    expectInvalid(() => predictedClasses(bad), 'p.data[3]');
    expectInvalid(() => evaluateSingleLabel(i32([0, 1]), bad), 'p.data[3]');
    expectInvalid(() => evaluateMultiLabel(u8([0, 1, 1, 0]), bad), 'p.data[3]');
    expectInvalid(() => macroF1(i32([0, 1]), probs([[1.5, 0], [0, 1]])), 'p.data[0]');
    expectInvalid(() => weightedF1(i32([0, 1]), probs([[-0.1, 0], [0, 1]])), 'p.data[0]');
    expectInvalid(() => logLoss(i32([0, 1]), probs([[Infinity, 0], [0, 1]])), 'p.data[0]');
  });
  it('non-0/1 indicator values and bad options', () => {
    expectInvalid(() => hammingLoss(u8([0, 2, 1, 1]), p), 'truth[1]');
    expectInvalid(() => mcnemarExact(u8([1, 0]), u8([1, 7])), 'correctB[1]');
    expectInvalid(() => expectedCalibrationError(i32([0, 1]), p, { bins: 0 }), 'options.bins');
    expectInvalid(() => hammingLoss(u8([0, 1, 1, 1]), p, { threshold: 2 }), 'options.threshold');
    expectInvalid(() => pairedBootstrap(i32([0]), i32([0]), i32([0]), { resamples: 0 }), 'options.resamples');
    expectInvalid(() => pairedBootstrap(i32([0]), i32([0]), i32([0]), { seed: 1.5 }), 'options.seed');
    expectInvalid(() => pairedBootstrap(i32([0]), i32([0]), i32([0]), { level: 1 }), 'options.level');
    expectInvalid(
      () => pairedBootstrap(i32([0]), i32([0]), i32([0]), { metric: 'f1' as unknown as 'accuracy' }),
      'options.metric',
    );
    expectInvalid(() => stabilizingPredictions([0.5, NaN, 1]), 'kappas[1]');
    expectInvalid(() => stabilizingPredictions([1, 1, 1], { window: 0 }), 'options.window');
  });
});

describe('zero rows: null with a reason, never NaN', () => {
  const truth = new Int32Array(0);
  const p = { rows: 0, labels: 3, data: new Float32Array(0) };
  it('single-label scalar metrics', () => {
    for (const m of [accuracy, macroF1, weightedF1, logLoss, brierScore]) {
      const r = m(truth, p);
      expect(r.value).toBeNull();
      expect(r.reason).toMatch(/no rows/);
    }
    const ece = expectedCalibrationError(truth, p);
    expect(ece.value).toBeNull();
    expect(ece.bins.every((b) => b.count === 0 && b.confidence === null)).toBe(true);
    expect(aurocOneVsRest(truth, p).macro).toMatchObject({ value: null, classes: 0 });
    expect(confusionMatrix(truth, p).counts).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    expect(perClassMetrics(truth, p).every((c) => c.f1 === 0 && c.support === 0)).toBe(true);
  });
  it('evaluate* on zero rows is clean JSON with nulls', () => {
    const e = evaluateSingleLabel(truth, p);
    expect(e.rows).toBe(0);
    expect(e.accuracy.value).toBeNull();
    expectCleanJson(e);
    const m = evaluateMultiLabel(new Uint8Array(0), p);
    expect(m.microF1.value).toBeNull();
    expect(m.subsetAccuracy.reason).toMatch(/no rows/);
    expectCleanJson(m);
  });
});

describe('a single class in the truth', () => {
  it('F1 / accuracy are defined; AUROC is null with a reason for every class and the macro', () => {
    const truth = i32([1, 1, 1]);
    const p = probs([[0.2, 0.8], [0.6, 0.4], [0.1, 0.9]]);
    expect(accuracy(truth, p).value).toBeCloseTo(2 / 3, 14);
    // F1_0 = 0 (predicted once, never true), F1_1 = 2·2/(3 + 2) = 0.8
    expect(macroF1(truth, p).value).toBeCloseTo(0.4, 14);
    expect(weightedF1(truth, p).value).toBeCloseTo(0.8, 14);
    const au = aurocOneVsRest(truth, p);
    expect(au.perClass[0]!.reason).toMatch(/no positive rows/);
    expect(au.perClass[1]!.reason).toMatch(/no negative rows/);
    expect(au.macro.value).toBeNull();
    expect(au.macro.reason).toMatch(/single class/);
    expectCleanJson(evaluateSingleLabel(truth, p));
  });
});

describe('evaluateSingleLabel', () => {
  it('bundles exactly what the individual functions return, as clean JSON', () => {
    const rng = createRng(21);
    const n = 400, k = 4;
    const truth = new Int32Array(n);
    const data = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      truth[i] = rng.int(k);
      let s = 0;
      for (let j = 0; j < k; j++) s += data[i * k + j] = rng.next() + (j === truth[i] ? 1 : 0);
      for (let j = 0; j < k; j++) data[i * k + j] = data[i * k + j]! / s;
    }
    const p = { rows: n, labels: k, data };
    const e = evaluateSingleLabel(truth, p, { bins: 10 });
    expect(e).toMatchObject({ task: 'single-label', rows: n, labels: k });
    expect(e.accuracy).toEqual(accuracy(truth, p));
    expect(e.macroF1).toEqual(macroF1(truth, p));
    expect(e.weightedF1).toEqual(weightedF1(truth, p));
    expect(e.logLoss).toEqual(logLoss(truth, p));
    expect(e.brier).toEqual(brierScore(truth, p));
    expect(e.ece).toEqual(expectedCalibrationError(truth, p, { bins: 10 }));
    expect(e.ece.bins).toHaveLength(10);
    expect(e.auroc).toEqual(aurocOneVsRest(truth, p));
    expect(e.perClass).toEqual(perClassMetrics(truth, p));
    expect(e.confusion).toEqual(confusionMatrix(truth, p));
    expect(e.confusion.counts.flat().reduce((a, b) => a + b, 0)).toBe(n);
    expectCleanJson(e);
  });
  it('doc-comment example', () => {
    const e = evaluateSingleLabel(i32([0, 1]), probs([[0.8, 0.2], [0.3, 0.7]]));
    expect(e.accuracy.value).toBe(1);
    expect(e.macroF1.value).toBe(1);
    expect(e.logLoss.value).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 6);
    expect(e.brier.value).toBeCloseTo(0.13, 6);
    expect(e.auroc.macro.value).toBe(1);
  });
});
