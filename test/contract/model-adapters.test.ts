/**
 * Every model adapter kind passes the same contract (src/modules/models/adapter.ts):
 * labels and capabilities, valid probability rows for every item, determinism, rows
 * in batch order, empty batches, a typed error for items lacking the model's input,
 * unusable after dispose, and garbage answers rejected with ModelOutputError.
 * Adapters are built through the registry (createAdapter); the per-kind factories,
 * including the real HTTP model server, live in model-adapter-cases.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError, ModelOutputError, ModelUnavailableError, ValidationError } from '../../src/core/errors.js';
import type { Probabilities } from '../../src/core/labels.js';
import { ADAPTER_KINDS, type ModelAdapter, type ModelBatch } from '../../src/modules/models/adapter.js';
import { createAdapter, runsInWorker } from '../../src/modules/models/adapters/index.js';
import {
  ADAPTER_CASES,
  FEATURE_DIM,
  LABELS,
  batchOf,
  startContractServer,
  syntheticItems,
  type AdapterCase,
  type CaseEnv,
  type ContractServer,
} from './model-adapter-cases.js';

const N = 37;

let server: ContractServer;
const env: CaseEnv = { httpBaseUrl: '' };

beforeAll(async () => {
  server = await startContractServer();
  env.httpBaseUrl = server.baseUrl;
});

afterAll(async () => {
  await server.close();
});

/** Rows [from, to) of a batch. */
function sliceBatch(b: ModelBatch, from: number, to: number): ModelBatch {
  const d = b.featureDim ?? 0;
  return {
    ids: b.ids.slice(from, to),
    texts: b.texts.slice(from, to),
    features: b.features ? b.features.slice(from * d, to * d) : null,
    featureDim: b.featureDim,
    metas: b.metas.slice(from, to),
  };
}

function reverseBatch(b: ModelBatch): ModelBatch {
  const d = b.featureDim ?? 0;
  const n = b.ids.length;
  let features: Float32Array | null = null;
  if (b.features) {
    features = new Float32Array(b.features.length);
    for (let r = 0; r < n; r++) features.set(b.features.subarray(r * d, (r + 1) * d), (n - 1 - r) * d);
  }
  return { ids: [...b.ids].reverse(), texts: [...b.texts].reverse(), features, featureDim: b.featureDim, metas: [...b.metas].reverse() };
}

function reverseRows(p: Probabilities): Float32Array {
  const out = new Float32Array(p.data.length);
  for (let r = 0; r < p.rows; r++) out.set(p.data.subarray(r * p.labels, (r + 1) * p.labels), (p.rows - 1 - r) * p.labels);
  return out;
}

/** The batch without the input the model reads. */
function withoutInput(b: ModelBatch, c: AdapterCase): ModelBatch {
  return c.input === 'features' ? { ...b, features: null, featureDim: null } : { ...b, texts: b.texts.map(() => null) };
}

function expectClose(actual: Float32Array, expected: Float32Array, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThanOrEqual(tol);
}

/** rows × labels finite values in [0, 1], each single-label row summing to 1 ± 1e-3. */
function expectValidRows(p: Probabilities, rows: number, labels: number, multiLabel: boolean): void {
  expect(p.rows).toBe(rows);
  expect(p.labels).toBe(labels);
  expect(p.data).toBeInstanceOf(Float32Array);
  expect(p.data.length).toBe(rows * labels);
  const bad: string[] = [];
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < labels; j++) {
      const v = p.data[r * labels + j]!;
      if (!Number.isFinite(v) || v < 0 || v > 1) bad.push(`row ${r}, column ${j} is ${v}`);
      sum += v;
    }
    if (!multiLabel && !(Math.abs(sum - 1) <= 1e-3)) bad.push(`row ${r} sums to ${sum}`);
  }
  expect(bad).toEqual([]);
}

/** The rejection of a call that must fail (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  const outcome = await p.then(
    (value) => ({ resolved: true as const, value }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value, (_k, v) => (v instanceof Float32Array ? Array.from(v) : v))}`);
  return outcome.error;
}

describe('the registry', () => {
  it('has a contract case for every adapter kind', () => {
    expect(new Set(ADAPTER_CASES.map((c) => c.kind))).toEqual(new Set(ADAPTER_KINDS));
  });

  it('refuses an unknown kind and a built-in version without its artifact with a ValidationError', async () => {
    const base = { labels: [...LABELS], multiLabel: false, config: {}, artifact: null };
    await expect(createAdapter({ ...base, kind: 'svm' })).rejects.toThrow(ValidationError);
    await expect(createAdapter({ ...base, kind: 'svm' })).rejects.toThrow(/unknown model kind "svm"/);
    await expect(createAdapter({ ...base, kind: 'softmax' })).rejects.toThrow(ValidationError);
    await expect(createAdapter({ ...base, kind: 'onnx' })).rejects.toThrow(ValidationError);
  });
});

describe.each(ADAPTER_CASES)('model adapter contract: $name', (c) => {
  const items = syntheticItems(N, 99, 'doc');
  const batch = batchOf(items);
  const k = LABELS.length;
  let model: ModelAdapter;

  beforeAll(async () => {
    model = await createAdapter(await c.spec(env));
  });

  afterAll(async () => {
    await model?.dispose();
  });

  it('declares distinct string labels and its capabilities', () => {
    expect(model.kind).toBe(c.kind);
    expect(model.labels).toEqual(LABELS);
    for (const l of model.labels) expect(typeof l).toBe('string');
    expect(new Set(model.labels).size).toBe(model.labels.length);
    expect(model.multiLabel).toBe(false);

    const caps = model.capabilities;
    expect(typeof caps.trainable).toBe('boolean');
    expect(caps.trainable).toBe(c.trainable);
    expect(caps.runsInWorker).toBe(c.kind !== 'http');
    expect(caps.runsInWorker).toBe(runsInWorker(c.kind));
    expect(Number.isInteger(caps.maxBatchSize)).toBe(true);
    expect(caps.maxBatchSize).toBeGreaterThanOrEqual(N);
    expect(['features', 'text']).toContain(caps.input);
    expect(caps.input).toBe(c.input);
  });

  it(`answers a batch of ${N} items with one valid probability row each`, async () => {
    const p = await model.predictProba(batch);
    expectValidRows(p, N, k, model.multiLabel);
  });

  it('is deterministic: two calls give identical values', async () => {
    const a = await model.predictProba(batch);
    const b = await model.predictProba(batch);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });

  it('keeps rows in batch order: a reversed batch gives reversed rows, two halves concatenate to the whole', async () => {
    const whole = await model.predictProba(batch);
    const reversed = await model.predictProba(reverseBatch(batch));
    expectValidRows(reversed, N, k, model.multiLabel);
    expectClose(reverseRows(reversed), whole.data, 1e-6);

    const half = Math.floor(N / 2);
    const first = await model.predictProba(sliceBatch(batch, 0, half));
    const second = await model.predictProba(sliceBatch(batch, half, N));
    expect([first.rows, second.rows]).toEqual([half, N - half]);
    const joined = new Float32Array(N * k);
    joined.set(first.data, 0);
    joined.set(second.data, half * k);
    expectClose(joined, whole.data, 1e-6);
  });

  it('answers an empty batch with 0 rows', async () => {
    const p = await model.predictProba(sliceBatch(batch, 0, 0));
    expect(p.rows).toBe(0);
    expect(p.labels).toBe(k);
    expect(p.data).toBeInstanceOf(Float32Array);
    expect(p.data.length).toBe(0);
  });

  if (c.withoutInput === 'rejects') {
    it(`rejects items without ${c.input} with a ValidationError, never NaN rows`, async () => {
      const err = await rejection(model.predictProba(withoutInput(batch, c)));
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toMatch(c.input === 'features' ? /feature/ : /text/);
      // a single item lacking it is enough
      const one = withoutInput(sliceBatch(batch, 3, 4), c);
      expect(await rejection(model.predictProba(one))).toBeInstanceOf(ValidationError);
    });
  } else {
    it(`does not need ${c.input}: items without it still get valid rows`, async () => {
      const p = await model.predictProba(withoutInput(batch, c));
      expectValidRows(p, N, k, model.multiLabel);
    });
  }

  if (c.input === 'features') {
    it('answers items with a feature of the wrong width or a NaN feature with a typed error, never NaN rows', async () => {
      const narrow: ModelBatch = { ...sliceBatch(batch, 0, 4), features: new Float32Array(4 * (FEATURE_DIM - 2)), featureDim: FEATURE_DIM - 2 };
      expect(await rejection(model.predictProba(narrow))).toBeInstanceOf(ValidationError);

      // today the NaN reaches the model and its NaN answer is caught by checkModelOutput (ModelOutputError);
      // a ValidationError up front would do as well: the contract is a typed error, not which one
      const poisoned = sliceBatch(batch, 0, 6);
      poisoned.features![2 * FEATURE_DIM + 1] = NaN;
      const err = await rejection(model.predictProba(poisoned));
      expect(err).toBeInstanceOf(DomainError);
      expect([ValidationError.name, ModelOutputError.name]).toContain((err as Error).name);
    });
  }

  it('rejects predictProba after dispose()', async () => {
    const a = await createAdapter(await c.spec(env));
    expectValidRows(await a.predictProba(sliceBatch(batch, 0, 3)), 3, k, a.multiLabel);
    await a.dispose();
    await a.dispose();
    const err = await rejection(a.predictProba(sliceBatch(batch, 0, 3)));
    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect((err as Error).message).toMatch(/dispose/);
  });

  if (c.garbage.length > 0) {
    it.each(c.garbage)('rejects a model answering garbage ($what)', async (g) => {
      const a = await createAdapter(await g.spec(env));
      try {
        const err = await rejection(a.predictProba(batch));
        expect(err).toBeInstanceOf(g.error);
        expect((err as Error).message).toMatch(g.message);
      } finally {
        await a.dispose();
      }
    });
  }
});

