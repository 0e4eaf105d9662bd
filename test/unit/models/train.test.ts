import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/random.js';
import { densify, fitTransform, featurize } from '../../../src/modules/models/featurize/index.js';
import {
  activeBackend,
  backendInfo,
  BACKENDS,
  initBackend,
  predictProba,
  tf,
  trainModel,
} from '../../../src/modules/models/tfjs/index.js';
import { accuracy, blobs, slice, toyCorpus, xor } from './helpers.js';

beforeAll(async () => {
  await initBackend();
});

describe('backend', () => {
  it('selects tfjs-node, else wasm, else cpu, and says which and why', async () => {
    const name = await initBackend();
    expect(BACKENDS).toContain(name);
    expect(activeBackend()).toBe(name);
    expect(tf.getBackend()).toBe(name);
    const info = backendInfo()!;
    expect(info.name).toBe(name);
    expect(info.attempts.at(-1)).toEqual({ name, ok: true });
    for (const a of info.attempts.slice(0, -1)) expect(a.error).toMatch(/./);
    // tfjs-node is an optional dependency: when it is absent the wasm backend must be the one in use
    if (info.attempts[0]!.name === 'tensorflow' && !info.attempts[0]!.ok) expect(name).toBe('wasm');
    expect(await initBackend({ prefer: 'cpu' })).toBe(name); // idempotent
  });
});

describe('trainModel', () => {
  it('softmax learns a separable problem to ≥ 0.99 test accuracy, rows summing to 1', async () => {
    const all = blobs(900, 8, 3, 6, 1);
    const train = slice(all, 0, 600), test = slice(all, 600, 900);
    const { model, history } = await trainModel(train.x, train.y, { kind: 'softmax', labels: ['a', 'b', 'c'], seed: 1, epochs: 30 });
    const p = predictProba(model, test.x);
    expect(p.rows).toBe(300);
    expect(p.labels).toBe(3);
    expect(accuracy(p, test.y)).toBeGreaterThanOrEqual(0.99);
    for (let r = 0; r < p.rows; r++) {
      const s = p.data[r * 3]! + p.data[r * 3 + 1]! + p.data[r * 3 + 2]!;
      expect(Math.abs(s - 1)).toBeLessThanOrEqual(1e-5);
    }
    expect(history.length).toBeGreaterThan(0);
    expect(history[0]!.valLoss).toBeDefined();
    model.dispose();
  });

  it('mlp learns XOR (not linearly separable) to ≥ 0.99, where softmax cannot', async () => {
    const all = xor(1400, 2, 2);
    const train = slice(all, 0, 1000), test = slice(all, 1000, 1400);
    const mlp = await trainModel(train.x, train.y, { kind: 'mlp', labels: ['even', 'odd'], seed: 3, hidden: [32], learningRate: 0.01, epochs: 150, patience: 10 });
    const p = predictProba(mlp.model, test.x);
    expect(accuracy(p, test.y)).toBeGreaterThanOrEqual(0.99);
    for (let r = 0; r < p.rows; r++) expect(Math.abs(p.data[2 * r]! + p.data[2 * r + 1]! - 1)).toBeLessThanOrEqual(1e-5);
    const lin = await trainModel(train.x, train.y, { kind: 'softmax', labels: ['even', 'odd'], seed: 3, epochs: 20 });
    expect(accuracy(predictProba(lin.model, test.x), test.y)).toBeLessThan(0.75);
    mlp.model.dispose();
    lin.model.dispose();
  });

  it('is deterministic: same seed → identical probabilities; another seed → different ones', async () => {
    const ds = blobs(300, 6, 3, 2, 4);
    const opts = { kind: 'mlp' as const, labels: ['a', 'b', 'c'], hidden: [16, 8], dropout: 0.3, epochs: 8, validationFraction: 0.2 };
    const run = async (seed: number) => {
      const r = await trainModel(ds.x, ds.y, { ...opts, seed });
      const p = predictProba(r.model, ds.x).data;
      r.model.dispose();
      return { p, history: r.history };
    };
    const a = await run(7), b = await run(7), c = await run(8);
    expect(b.p).toEqual(a.p);
    expect(b.history).toEqual(a.history);
    expect(c.p).not.toEqual(a.p);
  });

  it('balanced class weights move the decision towards a rare class', async () => {
    // 1-D, overlapping: 570 of class 0 around 0, 30 of class 1 around 1.5
    const rng = createRng(5);
    const n = 600;
    const data = new Float32Array(n), y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 20 === 0 ? 1 : 0;
      data[i] = rng.normal() + (y[i] ? 1.5 : 0);
    }
    const x = { rows: n, cols: 1, data };
    const grid = { rows: 61, cols: 1, data: Float32Array.from({ length: 61 }, (_, i) => -1.5 + i * 0.075) };
    const positives = async (classWeights: 'none' | 'balanced') => {
      const r = await trainModel(x, y, { kind: 'softmax', labels: ['common', 'rare'], seed: 1, classWeights, epochs: 60, validationFraction: 0 });
      const p = predictProba(r.model, grid);
      r.model.dispose();
      let k = 0;
      for (let i = 0; i < p.rows; i++) if (p.data[2 * i + 1]! > 0.5) k++;
      return k;
    };
    const none = await positives('none'), balanced = await positives('balanced');
    // unweighted: the rare class wins only far right (x ≳ 2.7, beyond the grid); balanced: from x ≈ 0.75
    expect(none).toBeLessThanOrEqual(3);
    expect(balanced).toBeGreaterThanOrEqual(20);
  });

  it('early stopping ends training on noise well before the epoch limit and keeps the best epoch', async () => {
    const rng = createRng(9);
    const n = 400, d = 30;
    const data = Float32Array.from({ length: n * d }, () => rng.normal());
    const y = Int32Array.from({ length: n }, () => rng.int(2));
    const r = await trainModel(data, y, { kind: 'mlp', labels: ['x', 'y'], seed: 2, hidden: [64], learningRate: 0.01, epochs: 300, patience: 4, validationFraction: 0.25 });
    expect(r.stoppedEarly).toBe(true);
    expect(r.epochsRun).toBeLessThan(60);
    expect(r.bestEpoch).toBe(r.epochsRun - 4);
    expect(r.validationRows).toBe(100);
    expect(r.trainRows).toBe(300);
    const best = Math.min(...r.history.map((h) => h.valLoss!));
    expect(r.history[r.bestEpoch - 1]!.valLoss).toBe(best);
    // the learning rate halved on the plateau (patience 4 → after 2 epochs without improvement)
    expect(r.history.at(-1)!.learningRate).toBeLessThan(0.01);
    r.model.dispose();
  });

  it('without a validation slice, stops when the training loss converges', async () => {
    const ds = blobs(200, 4, 2, 1.5, 3); // overlapping classes: the loss has a finite minimum
    const r = await trainModel(ds.x, ds.y, { kind: 'softmax', labels: ['a', 'b'], seed: 1, validationFraction: 0, epochs: 400, patience: 3 });
    expect(r.validationRows).toBe(0);
    expect(r.bestEpoch).toBe(r.epochsRun);
    expect(r.history.every((h) => h.valLoss === undefined)).toBe(true);
    expect(r.epochsRun).toBeLessThan(400);
    r.model.dispose();
  });

  it('multi-label: independent sigmoid outputs trained with binary cross-entropy', async () => {
    const rng = createRng(11);
    const n = 800, d = 4, k = 3;
    const data = new Float32Array(n * d), y = new Uint8Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) data[i * d + j] = rng.next() * 2 - 1;
      const [a, b, c] = [data[i * d]!, data[i * d + 1]!, data[i * d + 2]!];
      y[i * k] = a > 0 ? 1 : 0;
      y[i * k + 1] = b > 0 ? 1 : 0;
      y[i * k + 2] = a + c > 0.5 ? 1 : 0; // rarer label: exercises balanced per-label weights
    }
    for (const kind of ['softmax', 'mlp'] as const) {
      const r = await trainModel(data, y, {
        kind,
        labels: ['a', 'b', 'c'],
        multiLabel: true,
        classWeights: 'balanced',
        seed: 1,
        epochs: 80,
        learningRate: 0.02,
        hidden: [16],
        dropout: 0,
      });
      expect(r.model.spec.multiLabel).toBe(true);
      const p = predictProba(r.model, data);
      let hits = 0, offOne = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < k; j++) {
          const v = p.data[i * k + j]!;
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
          s += v;
          if (v > 0.5 === (y[i * k + j] === 1)) hits++;
        }
        if (Math.abs(s - 1) > 0.2) offOne++;
      }
      expect(hits / (n * k)).toBeGreaterThanOrEqual(0.95);
      expect(offOne).toBeGreaterThan(n / 2); // rows are not distributions
      r.model.dispose();
    }
  });

  it('trains on sparse featurized text, and predicts the same from sparse or densified rows', async () => {
    const { texts, y } = toyCorpus(500, 3);
    const { fitted, features } = fitTransform(texts.slice(0, 400), { dimension: 2 ** 12 });
    const trainY = y.slice(0, 400), testY = y.slice(400);
    const test = featurize(texts.slice(400), fitted);
    for (const kind of ['softmax', 'mlp'] as const) {
      const r = await trainModel(features, trainY, { kind, labels: ['ham', 'spam'], seed: 4, hidden: [16], epochs: 40, learningRate: kind === 'mlp' ? 0.01 : 0.05 });
      const p = predictProba(r.model, test);
      expect(accuracy(p, testY)).toBeGreaterThanOrEqual(0.97);
      const dense = predictProba(r.model, densify(test));
      for (let i = 0; i < p.data.length; i++) expect(Math.abs(dense.data[i]! - p.data[i]!)).toBeLessThan(1e-5);
      r.model.dispose();
    }
  });

  it('stops with the signal’s reason when aborted, leaking no tensor', async () => {
    const ds = blobs(200, 4, 2, 3, 1);
    const before = tf.memory().numTensors;
    const ac = new AbortController();
    ac.abort(new Error('cancelled by test'));
    await expect(trainModel(ds.x, ds.y, { kind: 'mlp', labels: ['a', 'b'], seed: 1, signal: ac.signal })).rejects.toThrow('cancelled by test');
    const late = new AbortController();
    const run = trainModel(ds.x, ds.y, {
      kind: 'softmax',
      labels: ['a', 'b'],
      seed: 1,
      epochs: 1000,
      signal: late.signal,
      onEpoch: (e) => {
        if (e.epoch === 2) late.abort(new Error('stop at 2'));
      },
    });
    await expect(run).rejects.toThrow('stop at 2');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad inputs and options with a ValidationError', async () => {
    const ds = blobs(20, 3, 2, 3, 1);
    const base = { kind: 'softmax' as const, labels: ['a', 'b'], seed: 1, epochs: 1 };
    const bad: Array<[unknown, unknown, object]> = [
      [ds.x, Int32Array.from(ds.y, (v) => v + 1), base], // label index out of range
      [ds.x, Float64Array.from(ds.y), base], // not an Int32Array
      [new Float32Array(61), ds.y, base], // 61 values for 20 rows
      [{ rows: 20, cols: 4, data: ds.x.data }, ds.y, base],
      [ds.x, ds.y.slice(0, 10), base],
      [ds.x, ds.y, { ...base, labels: ['a', 'a'] }],
      [ds.x, ds.y, { ...base, labels: ['only'] }],
      [ds.x, ds.y, { ...base, kind: 'svm' }],
      [ds.x, ds.y, { ...base, kind: 'mlp', hidden: [] }],
      [ds.x, ds.y, { ...base, kind: 'mlp', hidden: [4, 4, 4] }],
      [ds.x, ds.y, { ...base, dropout: 1 }],
      [ds.x, ds.y, { ...base, validationFraction: 0.9 }],
      [ds.x, ds.y, { ...base, batchSize: 0 }],
      [ds.x, ds.y, { ...base, seed: 1.5 }],
      [ds.x, ds.y, { ...base, optimiser: 'sgd' }],
      [ds.x, new Uint8Array([1, 2]), { ...base, multiLabel: true }],
    ];
    for (const [x, y, o] of bad) await expect(trainModel(x as never, y as never, o as never), JSON.stringify(o)).rejects.toThrow(ValidationError);
    const sparse = fitTransform(['a b', 'c d'], { dimension: 2 ** 16 }).features;
    await expect(trainModel(sparse, new Int32Array([0, 1]), { ...base, standardize: true })).rejects.toThrow(/dense/);
    await expect(trainModel(sparse, new Int32Array([0, 1]), { ...base, kind: 'mlp', hidden: [1024] })).rejects.toThrow(/first layer/);
  });
});
