import { afterEach, describe, expect, it } from 'vitest';
import { ModelOutputError, ModelUnavailableError, ValidationError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/random.js';
import type { ModelAdapter, ModelBatch } from '../../src/modules/models/adapter.js';
import { createOnnxAdapter, parseOnnxConfig, type OnnxConfigInput } from '../../src/modules/models/adapters/onnx.js';
import { densify, featurize, parseFeaturizerConfig } from '../../src/modules/models/featurize/index.js';
import { buildEchoOnnx, buildLinearSoftmaxOnnx, type LinearOnnxOptions } from '../fixtures/onnx/build-onnx.js';

const D = 6;
const LABELS = ['spam', 'ham', 'other'];
const K = LABELS.length;

function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

const W = randomFloats(D * K, 1);
const B = randomFloats(K, 2);

function model(opts: Partial<LinearOnnxOptions> = {}): Uint8Array {
  return buildLinearSoftmaxOnnx({ weights: W, bias: B, ...opts });
}

function featureBatch(features: Float32Array, dim = D): ModelBatch {
  const rows = features.length / dim;
  return {
    ids: Array.from({ length: rows }, (_, i) => `item-${i}`),
    texts: Array.from({ length: rows }, () => null),
    features,
    featureDim: dim,
    metas: Array.from({ length: rows }, () => null),
  };
}

function textBatch(texts: (string | null)[]): ModelBatch {
  return { ids: texts.map((_, i) => `doc-${i}`), texts, features: null, featureDim: null, metas: texts.map(() => null) };
}

/** x·W + b per row, in float64. */
function jsLogits(x: Float32Array, w: Float32Array, b: Float32Array, d: number): number[][] {
  const k = b.length;
  const out: number[][] = [];
  for (let r = 0; r < x.length / d; r++) {
    out.push(Array.from({ length: k }, (_, j) => {
      let s = b[j]!;
      for (let i = 0; i < d; i++) s += x[r * d + i]! * w[i * k + j]!;
      return s;
    }));
  }
  return out;
}

function jsSoftmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function expectClose(actual: Float32Array, expected: number[][], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length * (expected[0]?.length ?? 0));
  expected.flat().forEach((v, i) => expect(Math.abs(actual[i]! - v)).toBeLessThan(tol));
}

const adapters: ModelAdapter[] = [];
async function adapter(bytes: Uint8Array, config: Partial<OnnxConfigInput> = {}): Promise<ModelAdapter> {
  const a = await createOnnxAdapter(bytes, { kind: 'onnx', labels: LABELS, ...config });
  adapters.push(a);
  return a;
}
afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.dispose()));
});

describe('onnx adapter: features input', () => {
  const x = randomFloats(40 * D, 3, 2);

  it('answers softmax(x·W + b) for every row, within 1e-5 of JS', async () => {
    const a = await adapter(model());
    expect(a.kind).toBe('onnx');
    expect(a.labels).toEqual(LABELS);
    expect(a.capabilities).toEqual({ trainable: false, runsInWorker: true, maxBatchSize: 8192, input: 'features' });
    const p = await a.predictProba(featureBatch(x));
    expect(p.rows).toBe(40);
    expect(p.labels).toBe(K);
    expectClose(p.data, jsLogits(x, W, B, D).map(jsSoftmax));
  });

  it("applies softmax itself when the model outputs logits", async () => {
    const a = await adapter(model({ softmax: false, outputName: 'logits' }), { outputs: 'logits' });
    const p = await a.predictProba(featureBatch(x));
    expectClose(p.data, jsLogits(x, W, B, D).map(jsSoftmax));
  });

  it('applies a sigmoid per label for multi-label logits', async () => {
    const a = await adapter(model({ softmax: false }), { outputs: 'logits', multiLabel: true });
    expect(a.multiLabel).toBe(true);
    const p = await a.predictProba(featureBatch(x));
    expectClose(p.data, jsLogits(x, W, B, D).map((row) => row.map((v) => 1 / (1 + Math.exp(-v)))));
  });

  it('converts float64 outputs to float32', async () => {
    const a = await adapter(model({ float64Output: true }));
    const p = await a.predictProba(featureBatch(x));
    expect(p.data).toBeInstanceOf(Float32Array);
    expectClose(p.data, jsLogits(x, W, B, D).map(jsSoftmax));
  });

  it('rejects logits declared as probabilities through the shared output check', async () => {
    const a = await adapter(model({ softmax: false }));
    await expect(a.predictProba(featureBatch(x))).rejects.toThrow(ModelOutputError);
  });

  it('pads the last chunk of a model exported with a fixed batch size', async () => {
    const a = await adapter(model({ fixedBatch: 16 }));
    const p = await a.predictProba(featureBatch(x));
    expectClose(p.data, jsLogits(x, W, B, D).map(jsSoftmax));
  });

  it('splits a 20,000-row batch internally with the same answers as one row at a time', async () => {
    const big = randomFloats(20_000 * D, 4);
    const a = await adapter(model());
    const whole = await a.predictProba(featureBatch(big));
    expect(whole.rows).toBe(20_000);
    const single = new Float32Array(20_000 * K);
    for (let r = 0; r < 20_000; r++) {
      const p = await a.predictProba(featureBatch(big.slice(r * D, (r + 1) * D)));
      single.set(p.data, r * K);
    }
    let worst = 0;
    for (let i = 0; i < single.length; i++) worst = Math.max(worst, Math.abs(single[i]! - whole.data[i]!));
    expect(worst).toBeLessThan(1e-6);
  });

  it('is deterministic across calls and sessions', async () => {
    const a = await adapter(model());
    const b = await adapter(model());
    const first = await a.predictProba(featureBatch(x));
    expect((await a.predictProba(featureBatch(x))).data).toEqual(first.data);
    expect((await b.predictProba(featureBatch(x))).data).toEqual(first.data);
  });

  it('answers an empty batch with no rows', async () => {
    const a = await adapter(model());
    const p = await a.predictProba(featureBatch(new Float32Array(0)));
    expect(p.rows).toBe(0);
    expect(p.data.length).toBe(0);
  });

  it('stops between chunks when the signal is aborted, with its reason', async () => {
    const a = await adapter(model());
    const ctl = new AbortController();
    ctl.abort(new Error('user cancelled'));
    await expect(a.predictProba(featureBatch(x), { signal: ctl.signal })).rejects.toThrow('user cancelled');
  });

  it('is unusable after dispose', async () => {
    const a = await createOnnxAdapter(model(), { kind: 'onnx', labels: LABELS });
    await a.dispose();
    await a.dispose();
    await expect(a.predictProba(featureBatch(x))).rejects.toThrow(ModelUnavailableError);
  });
});

describe('onnx adapter: checks against the model', () => {
  it('lists the available names when the input or output name is wrong', async () => {
    const bytes = model({ inputName: 'x', outputName: 'probs' });
    await expect(adapter(bytes, { inputName: 'features' })).rejects.toThrow(/no input named 'features'; its inputs: 'x'/);
    await expect(adapter(bytes, { outputName: 'scores' })).rejects.toThrow(/no output named 'scores'; its outputs: 'probs'/);
    await expect(adapter(bytes, { inputName: 'features' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('rejects a batch whose feature width differs from the model input', async () => {
    const a = await adapter(model());
    await expect(a.predictProba(featureBatch(new Float32Array(2 * 4), 4))).rejects.toThrow(/items have 4 features but input 'input' takes 6/);
    await expect(a.predictProba(featureBatch(new Float32Array(2 * 4), 4))).rejects.toBeInstanceOf(ValidationError);
  });

  it('rejects items without features, naming them', async () => {
    const a = await adapter(model());
    const batch = { ...featureBatch(new Float32Array(2 * D)), features: null, featureDim: null };
    await expect(a.predictProba(batch)).rejects.toThrow(/items without features: item-0, item-1/);
  });

  it('rejects an output width that differs from the declared labels at creation', async () => {
    await expect(adapter(model(), { labels: ['a', 'b'] })).rejects.toThrow(/has 3 columns but 2 labels were declared/);
  });

  it('checks the output width on every run when the model leaves it symbolic', async () => {
    const a = await adapter(buildEchoOnnx(), { labels: ['a', 'b'] });
    const rows = Float32Array.from([0.25, 0.75, 1, 0]);
    expect((await a.predictProba(featureBatch(rows, 2))).data).toEqual(rows);
    await expect(a.predictProba(featureBatch(Float32Array.from([0.5, 0.25, 0.25]), 3))).rejects.toThrow(/shape \[1, 3\], expected \[1, 2\]/);
    await expect(a.predictProba(featureBatch(Float32Array.from([NaN, 1]), 2))).rejects.toBeInstanceOf(ModelOutputError);
  });

  it('accepts symbolic widths that onnxruntime can infer', async () => {
    const a = await adapter(model({ symbolicWidths: true }));
    const x = randomFloats(2 * D, 5);
    expectClose((await a.predictProba(featureBatch(x))).data, jsLogits(x, W, B, D).map(jsSoftmax));
  });

  it('rejects bytes that are not an ONNX model with a ValidationError', async () => {
    const garbage = new TextEncoder().encode('definitely not a protobuf \u0000\u00ff\u0013');
    await expect(adapter(garbage)).rejects.toBeInstanceOf(ValidationError);
    await expect(adapter(garbage)).rejects.toThrow(/^onnx model: cannot load: /);
    await expect(adapter(new Uint8Array(0))).rejects.toBeInstanceOf(ValidationError);
  });

  it('validates the config', async () => {
    expect(() => parseOnnxConfig({ kind: 'onnx', labels: ['a', 'a'] })).toThrow(/labels: labels must be distinct/);
    expect(() => parseOnnxConfig({ kind: 'onnx', labels: [] })).toThrow(ValidationError);
    expect(() => parseOnnxConfig({ kind: 'onnx', labels: ['a'], featurizer: { dimension: 16 } })).toThrow(/featurizer: only allowed with input 'text'/);
    expect(() => parseOnnxConfig({ kind: 'onnx', labels: ['a'], input: 'text' })).toThrow(/featurizer: input 'text' needs a featurizer/);
    expect(() => parseOnnxConfig({ kind: 'onnx', labels: ['a'], input: 'text', featurizer: { weighting: 'tfidf' } })).toThrow(/featurizer.weighting: must be 'log-count'/);
    expect(() => parseOnnxConfig({ kind: 'onnx', labels: ['a'], extra: 1 })).toThrow(ValidationError);
    const parsed = parseOnnxConfig({ kind: 'onnx', labels: ['a'], input: 'text', featurizer: { dimension: 16 } });
    expect(parsed).toMatchObject({ input: 'text', outputs: 'probabilities', multiLabel: false, featurizer: { weighting: 'log-count', dimension: 16 } });
  });
});

describe('onnx adapter: text input', () => {
  const featurizer = { dimension: 16, wordNgrams: { min: 1, max: 1 }, weighting: 'log-count' as const };
  const w16 = randomFloats(16 * 2, 6, 3);
  const b2 = randomFloats(2, 7);
  const textModel = () => buildLinearSoftmaxOnnx({ weights: w16, bias: b2 });
  const texts = ['win a free prize now', 'meeting moved to friday', 'free free free', ''];

  it('featurizes with the log-count featurizer and matches JS', async () => {
    const a = await adapter(textModel(), { labels: ['spam', 'ham'], input: 'text', featurizer });
    expect(a.capabilities.input).toBe('text');
    const p = await a.predictProba(textBatch(texts));
    const fitted = { config: parseFeaturizerConfig(featurizer), documentCount: 0, idf: null };
    const x = densify(featurize(texts, fitted));
    expectClose(p.data, jsLogits(x, w16, b2, 16).map(jsSoftmax));
  });

  it('names the items that have no text', async () => {
    const a = await adapter(textModel(), { labels: ['spam', 'ham'], input: 'text', featurizer });
    await expect(a.predictProba(textBatch(['hello', null, 'x']))).rejects.toThrow(/items without text: doc-1$/);
  });

  it('rejects a featurizer dimension that differs from the model input width', async () => {
    await expect(adapter(textModel(), { labels: ['spam', 'ham'], input: 'text', featurizer: { ...featurizer, dimension: 32 } })).rejects.toThrow(
      /featurizer.dimension is 32 but input 'input' takes 16/,
    );
  });
});
