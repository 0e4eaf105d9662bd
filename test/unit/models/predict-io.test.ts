import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { fitTransform, featurize } from '../../../src/modules/models/featurize/index.js';
import {
  contentHash,
  initBackend,
  loadModel,
  predictProba,
  serializeModel,
  tensorLayout,
  tf,
  trainModel,
  type TfModel,
  type TrainOptions,
} from '../../../src/modules/models/tfjs/index.js';
import { blobs, toyCorpus } from './helpers.js';

let softmax: TfModel, mlp: TfModel;
const ds = blobs(600, 12, 4, 2.5, 21);
const labels = ['n', 'e', 's', 'w'];

beforeAll(async () => {
  await initBackend();
  // letter-like raw scale: standardisation is stored inside the softmax model
  const scaled = { ...ds.x, data: ds.x.data.map((v, i) => v * (1 + (i % 12)) + 5) };
  softmax = (await trainModel(scaled, ds.y, { kind: 'softmax', labels, seed: 1, epochs: 15, standardize: true })).model;
  mlp = (await trainModel(ds.x, ds.y, { kind: 'mlp', labels, seed: 1, epochs: 10, hidden: [24, 12], dropout: 0.1 })).model;
});

function scaledX(): Float32Array {
  return ds.x.data.map((v, i) => v * (1 + (i % 12)) + 5);
}

describe('predictProba', () => {
  it('returns rows × labels in the model’s label order, softmax rows summing to 1 ± 1e-5', () => {
    for (const [m, x] of [[softmax, scaledX()], [mlp, ds.x.data]] as const) {
      const p = predictProba(m, x);
      expect(p.rows).toBe(600);
      expect(p.labels).toBe(4);
      expect(p.data).toBeInstanceOf(Float32Array);
      expect(m.spec.labels).toEqual(labels);
      for (let r = 0; r < p.rows; r++) {
        let s = 0;
        for (let j = 0; j < 4; j++) s += p.data[r * 4 + j]!;
        expect(Math.abs(s - 1)).toBeLessThanOrEqual(1e-5);
      }
    }
  });

  it('gives the same rows whatever the chunk size, and zero rows for zero rows', () => {
    const whole = predictProba(mlp, ds.x);
    const chunked = predictProba(mlp, ds.x, { chunkRows: 7 });
    for (let i = 0; i < whole.data.length; i++) expect(Math.abs(chunked.data[i]! - whole.data[i]!)).toBeLessThan(1e-6);
    const none = predictProba(mlp, { rows: 0, cols: 12, data: new Float32Array(0) });
    expect(none).toEqual({ rows: 0, labels: 4, data: new Float32Array(0) });
  });

  it('rejects inputs of the wrong width and sparse rows for a standardising model', () => {
    expect(() => predictProba(mlp, new Float32Array(13))).toThrow(ValidationError);
    expect(() => predictProba(mlp, { rows: 2, cols: 6, data: new Float32Array(12) })).toThrow(/takes 12 features/);
    const sparse = fitTransform(['a b'], { dimension: 16 }).features;
    expect(() => predictProba(mlp, sparse)).toThrow(/takes 12 features/);
    const sparse12 = { rows: 1, dim: 12, indptr: new Int32Array([0, 1]), indices: new Int32Array([3]), values: new Float32Array([1]) };
    expect(() => predictProba(softmax, sparse12)).toThrow(/dense/);
    expect(predictProba(mlp, sparse12).rows).toBe(1);
    const ac = new AbortController();
    ac.abort(new Error('cancelled'));
    expect(() => predictProba(mlp, ds.x, { signal: ac.signal })).toThrow('cancelled');
  });
});

describe('serializeModel / loadModel', () => {
  it('round-trips to identical predictions and identical bytes, with a stable content hash', () => {
    for (const [m, x] of [[softmax, scaledX()], [mlp, ds.x.data]] as const) {
      const bytes = serializeModel(m);
      const loaded = loadModel(bytes);
      expect(loaded.spec).toEqual(m.spec);
      expect(predictProba(loaded, x).data).toEqual(predictProba(m, x).data);
      const again = serializeModel(loaded);
      expect(again).toEqual(bytes);
      expect(contentHash(again)).toBe(contentHash(bytes));
      expect(contentHash(bytes)).toMatch(/^[0-9a-f]{64}$/);
      // weights are the bulk: header + padding + 4 bytes per weight
      const weights = tensorLayout(m.spec).reduce((a, s) => a + s.shape.reduce((p, q) => p * q, 1), 0);
      expect(bytes.length - weights * 4).toBeLessThan(2048);
      loaded.dispose();
    }
    expect(contentHash(serializeModel(softmax))).not.toBe(contentHash(serializeModel(mlp)));
  });

  it('loads a blob that sits at an unaligned offset of a bigger buffer', () => {
    const bytes = serializeModel(mlp);
    const big = new Uint8Array(bytes.length + 5);
    big.set(bytes, 5);
    const loaded = loadModel(big.subarray(5));
    expect(predictProba(loaded, ds.x).data).toEqual(predictProba(mlp, ds.x).data);
    loaded.dispose();
  });

  it('round-trips a model trained on sparse text', async () => {
    const { texts, y } = toyCorpus(200, 8);
    const { fitted, features } = fitTransform(texts, { dimension: 2 ** 10 });
    const r = await trainModel(features, y, { kind: 'mlp', labels: ['ham', 'spam'], seed: 2, hidden: [8], epochs: 5 });
    const test = featurize(['free money offer', 'team meeting notes'], fitted);
    const loaded = loadModel(serializeModel(r.model));
    expect(predictProba(loaded, test).data).toEqual(predictProba(r.model, test).data);
    loaded.dispose();
    r.model.dispose();
  });

  it('rejects corrupt blobs', () => {
    const bytes = serializeModel(softmax);
    const badMagic = bytes.slice();
    badMagic[1] = 0;
    expect(() => loadModel(badMagic)).toThrow(/magic/);
    expect(() => loadModel(bytes.subarray(0, 20))).toThrow(ValidationError);
    expect(() => loadModel(bytes.subarray(0, bytes.length - 4))).toThrow(/weight bytes/);
    const len = new DataView(bytes.buffer).getUint32(4, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
    const reencode = (h: unknown): Uint8Array => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const head = 8 + json.length, pad = (4 - (head % 4)) % 4;
      const start = 8 + len + ((4 - ((8 + len) % 4)) % 4);
      const out = new Uint8Array(head + pad + bytes.length - start);
      out.set(bytes.subarray(0, 4));
      new DataView(out.buffer).setUint32(4, json.length, true);
      out.set(json, 8);
      out.set(bytes.subarray(start), head + pad);
      return out;
    };
    expect(loadModel(reencode(header)).spec).toEqual(softmax.spec); // the re-encoder itself is faithful
    expect(() => loadModel(reencode({ ...header, spec: { ...header.spec, inputDim: 11 } }))).toThrow(ValidationError);
    expect(() => loadModel(reencode({ ...header, spec: { ...header.spec, version: 99 } }))).toThrow(/bad header/);
    expect(() => loadModel(reencode({ ...header, tensors: header.tensors.slice(1) }))).toThrow(/tensor list/);
    const nan = bytes.slice();
    new Float32Array(nan.buffer, nan.length - 4, 1)[0] = Number.NaN;
    expect(() => loadModel(nan)).toThrow(/not finite/);
  });
});

describe('tensor hygiene', () => {
  it('train → predict → serialize → load → dispose returns tf.memory().numTensors to its baseline', async () => {
    const before = tf.memory().numTensors;
    const { texts, y } = toyCorpus(120, 1);
    const text = fitTransform(texts, { dimension: 2 ** 10 }).features;
    const cases: Array<[typeof ds.x | typeof text, Int32Array, Omit<TrainOptions, 'labels' | 'seed'>]> = [
      [ds.x, ds.y, { kind: 'softmax', standardize: true }],
      [ds.x, ds.y, { kind: 'mlp', hidden: [8, 8] }],
      [text, y, { kind: 'mlp', hidden: [8] }],
      [text, y, { kind: 'softmax', validationFraction: 0 }],
    ];
    for (const [x, yy, opts] of cases) {
      const lbl = yy === ds.y ? labels : ['ham', 'spam'];
      const r = await trainModel(x, yy, { ...opts, labels: lbl, seed: 3, epochs: 3 });
      predictProba(r.model, x, { chunkRows: 50 });
      const loaded = loadModel(serializeModel(r.model));
      predictProba(loaded, x);
      loaded.dispose();
      r.model.dispose();
      r.model.dispose(); // idempotent
    }
    await expect(trainModel(ds.x, ds.y, { kind: 'mlp', labels: ['a'], seed: 1 })).rejects.toThrow(ValidationError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
