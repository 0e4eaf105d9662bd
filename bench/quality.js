// Built-in model quality against a peer (issue 3): trains `softmax` and `mlp` on each
// dataset's full pool (every row not in the fixed test split) and reports test accuracy
// next to scikit-learn's LogisticRegression (lbfgs, C=1) on the same split.
//
//   npm run build && node bench/quality.js [--only digits,letter,mnist10k,spamassassin]
//                                          [--kinds softmax,mlp] [--seeds 1,2,3] [--sweep] [--json FILE]
//                                          [--opts '{"softmax":{"patience":10}}']   (extra options per kind)
//
// --sweep adds featurizer variants for spamassassin / softmax (dimension, n-grams, weighting).
// Data: bench/data/*.jsonl.gz with bench/data/splits/*.test_ids.json (see bench/data/README.md);
// spamassassin is the bundled data/datasets/spamassassin.jsonl.gz (its `split` is `eval` exactly
// on the test ids, checked below). Default hyper-parameters everywhere except what `PLAN` says.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT, flags, log, machine, median, table } from './lib.js';

const dist = (p) => join(ROOT, 'dist', 'src', 'modules', 'models', p);
const { initBackend, backendInfo, predictProba, trainModel, tf } = await import(dist('tfjs/index.js'));
const { fitTransform, featurize } = await import(dist('featurize/index.js'));

/** Published by the peer (issue 3): scikit-learn LogisticRegression(lbfgs, C=1), same split. */
const PEER = { digits: 0.961, mnist10k: 0.898, letter: 0.781, spamassassin: 0.986 };

/** Preprocessing and the only non-default options, per dataset and model kind. */
const PLAN = {
  digits: { prep: 'pixels / 16 (0..1)', scale: 1 / 16, opts: {} },
  letter: { prep: 'standardised (mean / sd of the training rows, stored in the model)', opts: { softmax: { standardize: true }, mlp: { standardize: true } } },
  mnist10k: { prep: 'as is (0..1)', opts: {} },
  spamassassin: {
    prep: 'featurizer defaults: word 1–2-grams, 2^18 signed buckets, tf-idf fitted on the pool, L2',
    text: {},
    // 2^18 inputs × the default 256 hidden units would exceed the first-layer cap (2^25 weights)
    opts: { mlp: { hidden: [64] } },
  },
};

const SWEEP = [
  ['2^14, word 1–2', { dimension: 2 ** 14 }],
  ['2^16, word 1–2', { dimension: 2 ** 16 }],
  ['2^18, word 1–2 (default)', {}],
  ['2^20, word 1–2', { dimension: 2 ** 20 }],
  ['2^18, word 1 only', { wordNgrams: { min: 1, max: 1 } }],
  ['2^18, word 1–2 + char 3–5', { charNgrams: { min: 3, max: 5 } }],
  ['2^18, word 1–2, log-count', { weighting: 'log-count' }],
];

function loadDataset(name) {
  const testIds = new Set(JSON.parse(readFileSync(join(ROOT, 'bench', 'data', 'splits', `${name}.test_ids.json`), 'utf8')));
  const file = name === 'spamassassin' ? join(ROOT, 'data', 'datasets', 'spamassassin.jsonl.gz') : join(ROOT, 'bench', 'data', `${name}.jsonl.gz`);
  const rows = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const test = rows.filter((r) => testIds.has(r.id));
  const pool = rows.filter((r) => !testIds.has(r.id));
  if (test.length !== testIds.size) throw new Error(`${name}: ${testIds.size} test ids, ${test.length} found`);
  if (name === 'spamassassin' && rows.some((r) => (r.split === 'eval') !== testIds.has(r.id))) throw new Error('spamassassin: split field ≠ test ids');
  const labels = [...new Set(rows.map((r) => r.label))].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const y = (rs) => Int32Array.from(rs, (r) => index.get(r.label));
  return { name, pool, test, labels, yPool: y(pool), yTest: y(test) };
}

function dense(rows, scale = 1) {
  const d = rows[0].features.length;
  const data = new Float32Array(rows.length * d);
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) data[i * d + j] = r.features[j] * scale;
  });
  return { rows: rows.length, cols: d, data };
}

function accuracy(p, y) {
  let hits = 0;
  for (let r = 0; r < p.rows; r++) {
    let best = 0;
    for (let j = 1; j < p.labels; j++) if (p.data[r * p.labels + j] > p.data[r * p.labels + best]) best = j;
    if (best === y[r]) hits++;
  }
  return hits / p.rows;
}

async function trainAndTest(x, y, xt, yt, opts) {
  const t0 = performance.now();
  const r = await trainModel(x, y, opts);
  const trainMs = performance.now() - t0;
  const t1 = performance.now();
  const p = predictProba(r.model, xt);
  const predictMs = performance.now() - t1;
  r.model.dispose();
  return { acc: accuracy(p, yt), trainMs, predictMs, epochs: r.epochsRun, best: r.bestEpoch };
}

const f = flags();
const only = f.only ? String(f.only).split(',') : Object.keys(PLAN);
const kinds = f.kinds ? String(f.kinds).split(',') : ['softmax', 'mlp'];
const seeds = f.seeds ? String(f.seeds).split(',').map(Number) : [1, 2, 3];
const extraOpts = f.opts ? JSON.parse(String(f.opts)) : {};
const backend = await initBackend();
log(`backend ${backend}${backendInfo().attempts.filter((a) => !a.ok).map((a) => ` (${a.name}: ${a.error})`).join('')}`);

const results = [];
for (const name of only) {
  const plan = PLAN[name];
  const ds = loadDataset(name);
  let x, xt, featurizeMs = 0;
  if (plan.text) {
    const t0 = performance.now();
    const { fitted, features } = fitTransform(ds.pool.map((r) => r.text), plan.text);
    x = features;
    xt = featurize(ds.test.map((r) => r.text), fitted);
    featurizeMs = performance.now() - t0;
  } else {
    x = dense(ds.pool, plan.scale);
    xt = dense(ds.test, plan.scale);
  }
  for (const kind of kinds) {
    const runs = [];
    for (const seed of seeds) {
      const extra = { ...(plan.opts[kind] ?? {}), ...(extraOpts[kind] ?? {}) };
      const r = await trainAndTest(x, ds.yPool, xt, ds.yTest, { kind, labels: ds.labels, seed, ...extra });
      log(`${name} ${kind} seed ${seed}: acc ${r.acc.toFixed(4)}, ${Math.round(r.trainMs)} ms, ${r.epochs} epochs (best ${r.best})`);
      runs.push({ seed, ...r });
    }
    const accs = runs.map((r) => r.acc);
    results.push({
      dataset: name,
      kind,
      poolRows: ds.pool.length,
      testRows: ds.test.length,
      prep: plan.prep,
      options: { ...(plan.opts[kind] ?? {}), ...(extraOpts[kind] ?? {}) },
      featurizeMs,
      meanAcc: accs.reduce((a, b) => a + b, 0) / accs.length,
      minAcc: Math.min(...accs),
      maxAcc: Math.max(...accs),
      peer: PEER[name],
      medianTrainMs: median(runs.map((r) => r.trainMs)),
      medianPredictMs: median(runs.map((r) => r.predictMs)),
      epochs: runs.map((r) => `${r.epochs}/${r.best}`).join(' '),
      runs,
    });
  }
}

const sweep = [];
if (f.sweep) {
  const ds = loadDataset('spamassassin');
  for (const [label, cfg] of SWEEP) {
    const t0 = performance.now();
    const { fitted, features } = fitTransform(ds.pool.map((r) => r.text), cfg);
    const xt = featurize(ds.test.map((r) => r.text), fitted);
    const featurizeMs = performance.now() - t0;
    const nnz = features.indices.length / features.rows;
    const runs = [];
    for (const seed of seeds) runs.push(await trainAndTest(features, ds.yPool, xt, ds.yTest, { kind: 'softmax', labels: ds.labels, seed }));
    const accs = runs.map((r) => r.acc);
    sweep.push({ label, cfg, featurizeMs, nnz, meanAcc: accs.reduce((a, b) => a + b, 0) / accs.length, minAcc: Math.min(...accs), maxAcc: Math.max(...accs), medianTrainMs: median(runs.map((r) => r.trainMs)) });
    log(`sweep ${label}: ${sweep.at(-1).meanAcc.toFixed(4)}`);
  }
}

const pct = (v) => v.toFixed(3);
const s = (ms) => (ms / 1000).toFixed(1) + ' s';
const m = machine();
console.log(`backend: ${backend}; seeds ${seeds.join(', ')}; ${m.nproc} CPUs (${m.cpu}), node ${m.node}; tensors left: ${tf.memory().numTensors}\n`);
console.log(
  table(
    [
      ['dataset', 'pool / test', 'model', `test accuracy, mean [min–max] of ${seeds.length}`, 'peer LR', 'Δ mean', 'train time (median)', 'predict test', 'epochs run / best'],
      ...results.map((r) => [
        r.dataset,
        `${r.poolRows} / ${r.testRows}`,
        r.kind + (Object.keys(r.options).length ? ` ${JSON.stringify(r.options)}` : ''),
        `**${pct(r.meanAcc)}** [${pct(r.minAcc)}–${pct(r.maxAcc)}]`,
        pct(r.peer),
        (r.meanAcc - r.peer >= 0 ? '+' : '') + (r.meanAcc - r.peer).toFixed(3),
        s(r.medianTrainMs) + (r.featurizeMs ? ` (+ featurize ${s(r.featurizeMs)})` : ''),
        `${Math.round(r.medianPredictMs)} ms`,
        r.epochs,
      ]),
    ],
    { md: true },
  ),
);
if (sweep.length) {
  console.log('\nspamassassin, softmax, featurizer variants:\n');
  console.log(
    table(
      [
        ['featurizer', 'non-zeros / e-mail', 'featurize pool + test', 'test accuracy mean [min–max]', 'train time (median)'],
        ...sweep.map((r) => [r.label, Math.round(r.nnz), s(r.featurizeMs), `${pct(r.meanAcc)} [${pct(r.minAcc)}–${pct(r.maxAcc)}]`, s(r.medianTrainMs)]),
      ],
      { md: true },
    ),
  );
}
if (f.json) writeFileSync(String(f.json), JSON.stringify({ date: new Date().toISOString(), machine: m, backend, seeds, results, sweep }, null, 2));
