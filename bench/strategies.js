// Query-strategy speed (issue 4), through the registry as the service calls it:
// getStrategy(id).select(input, k, rng).
//
//   node bench/strategies.js [--rows 1000000] [--labels 10] [--k 1000] [--runs 9] [--warmups 2]
//                            [--dim 256] [--diversity coreset,badge,...|all|none] [--dist DIR]
//
// Uncertainty (least-confidence, margin, entropy): top-k of rows × labels seeded Dirichlet
// probabilities (float32, rows normalised), in this process; medians and minimums of --runs timed
// calls after --warmups, interleaved round-robin with the floor so a noisy neighbour hits all alike.
// Floor in the same run: one plain pass that reads all rows × labels values and sums them.
// Also timed (no target): the same calls with the service's pool (src/modules/queue/selection.ts
// passes 10% `labelled` rows and the rest as `candidates`), and, when the build has it,
// `topUncertain` from uncertainty.js called directly (validate + score + bounded heap in one
// pass, no per-row score array; the registry does not call it yet).
// Every pick is checked against a plain-JS reference (exact scores for least-confidence and
// margin, Math.log within 1e-7 for entropy; labelled rows never picked), and an FNV-1a hash of
// the picks (rows and order) is reported so runs on different builds (--dist DIR, e.g. a
// `tsc --outDir` of another tree) can be compared.
//
// Diversity (coreset, badge, cluster-margin, kmeans-centroids, ranked-batch, density-weighted):
// k of rows × dim clustered embeddings (+ the probabilities), one call each in a child process
// (`--child ID`) for its peak RSS (GNU time -v, else bench/maxrss-hook.js) and its RSS before the call.
//
// Uses dist/ as it is (`npm run build` first, or run through `node bench/run.js --only strategies`).
import { performance } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, flags, fmt, isMain, log, machine, median, prng, runChild, table } from './lib.js';

export const UNCERTAINTY = ['least-confidence', 'margin', 'entropy'];
export const DIVERSITY = ['coreset', 'badge', 'cluster-margin', 'kmeans-centroids', 'ranked-batch', 'density-weighted'];
/** The diversity strategies with an issue-4 target (< 10 s each); the others are reported alongside. */
const DIVERSITY_TARGETED = new Set(['coreset', 'badge', 'cluster-margin', 'kmeans-centroids']);
const UNCERTAINTY_TARGET_MS = 50;
const DIVERSITY_TARGET_MS = 10_000;
const CHILD_TIMEOUT_MS = 5 * 60_000;
const SELF = join(ROOT, 'bench', 'strategies.js');

async function load(distDir) {
  const base = resolve(distDir ?? join(ROOT, 'dist'));
  const strategies = await import(pathToFileURL(join(base, 'src', 'modules', 'strategies', 'index.js')).href);
  const random = await import(pathToFileURL(join(base, 'src', 'core', 'random.js')).href);
  return { ...strategies, createRng: random.createRng, distDir: base };
}

/** Gamma(a, 1) by Marsaglia & Tsang (2000), boosted for a < 1; `rand` uniform in [0, 1). */
function gammaSampler(rand) {
  let spare = null;
  const normal = () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const u = 1 - rand(), v = rand(), r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const gamma = (a) => {
    if (a < 1) return gamma(a + 1) * Math.pow(1 - rand(), 1 / a);
    const d = a - 1 / 3, c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = normal(), t = 1 + c * x;
      if (t <= 0) continue;
      const v = t * t * t, u = 1 - rand();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  };
  return gamma;
}

/**
 * rows × labels Dirichlet(α) rows, float32, each row divided by its sum. α per row mimics a
 * trained classifier: 50% α = 0.1 (near one-hot), 30% 0.3, 15% 1, 5% 3 (near uniform).
 * Tiny values underflow to float32 denormals or 0, as softmax outputs do.
 */
export function dirichletProbabilities(rows, labels, seed = 4) {
  const rand = prng(seed), gamma = gammaSampler(rand);
  const data = new Float32Array(rows * labels), g = new Float64Array(labels);
  for (let r = 0, o = 0; r < rows; r++, o += labels) {
    const u = rand(), a = u < 0.5 ? 0.1 : u < 0.8 ? 0.3 : u < 0.95 ? 1 : 3;
    let s = 0;
    for (let j = 0; j < labels; j++) s += g[j] = gamma(a);
    for (let j = 0; j < labels; j++) data[o + j] = g[j] / s;
  }
  return { rows, labels, data };
}

/** rows × dim embeddings around 50 seeded centres (uniform noise), xorshift32 for speed. */
export function clusteredEmbeddings(rows, dim, seed = 2, centres = 50) {
  let x = seed | 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const data = new Float32Array(rows * dim), c = new Float32Array(centres * dim);
  for (let i = 0; i < c.length; i++) c[i] = (next() - 0.5) * 8;
  for (let r = 0, o = 0; r < rows; r++, o += dim) {
    const co = Math.floor(next() * centres) * dim;
    for (let j = 0; j < dim; j++) data[o + j] = c[co + j] + next() - 0.5;
  }
  return { rows, dim, data };
}

/** The floor: one plain pass reading every value and summing it. */
function floorSum(data) {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i];
  return s;
}

/** FNV-1a over the picked rows, in order: equal hashes = the same picks in the same order. */
function pickHash(index) {
  let h = 0x811c9dc5;
  for (let i = 0; i < index.length; i++) {
    let v = index[i];
    for (let b = 0; b < 4; b++, v >>>= 8) h = Math.imul(h ^ (v & 0xff), 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Plain-JS reference scores, computed on the float32 values as doubles. */
function referenceScores(id, { rows, labels, data }) {
  const out = new Float64Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += labels) {
    if (id === 'entropy') {
      let h = 0;
      for (let j = o; j < o + labels; j++) if (data[j] > 0) h -= data[j] * Math.log(data[j]);
      out[r] = h;
      continue;
    }
    let p1 = -1, p2 = 0;
    for (let j = o; j < o + labels; j++) {
      const v = data[j];
      if (v > p1) [p1, p2] = [v, Math.max(p1, 0)];
      else if (v > p2) p2 = v;
    }
    out[r] = id === 'least-confidence' ? 1 - p1 : 1 - (p1 - p2);
  }
  return out;
}

/**
 * Checks a selection against reference scores: scores non-increasing with ties → lower row,
 * each score equal to the reference (within `tol`), no `excluded` row picked, no other row
 * outside beating the k-th by more than `tol`. Returns null or the first problem.
 */
function checkSelection(sel, ref, k, tol, excluded = null) {
  const { index, score } = sel;
  if (index.length !== k) return `${index.length} picks, expected ${k}`;
  const seen = new Uint8Array(ref.length);
  for (let r = 0; r < k; r++) {
    const i = index[r];
    if (seen[i]) return `row ${i} picked twice`;
    if (excluded?.[i]) return `row ${i} is labelled`;
    seen[i] = 1;
    if (Math.abs(score[r] - ref[i]) > tol) return `rank ${r}: row ${i} scored ${score[r]}, reference ${ref[i]}`;
    if (r > 0 && (score[r] > score[r - 1] || (score[r] === score[r - 1] && i < index[r - 1]))) return `rank ${r} out of order`;
  }
  const kth = score[k - 1];
  for (let i = 0; i < ref.length; i++) if (!seen[i] && !excluded?.[i] && ref[i] > kth + tol) return `row ${i} (${ref[i]}) beats the k-th pick (${kth})`;
  return null;
}

/** The service's pool shape (src/modules/queue/selection.ts): `labelled` rows (seeded, 10%) and every other row as `candidates`. */
function servicePool(rows, share = 0.1, seed = 9) {
  const rand = prng(seed), mark = new Uint8Array(rows);
  const labelled = [], candidates = [];
  for (let i = 0; i < rows; i++) (rand() < share ? ((mark[i] = 1), labelled) : candidates).push(i);
  return { labelled: Int32Array.from(labelled), candidates: Int32Array.from(candidates), mark };
}

export async function runUncertaintyBench({ rows = 1_000_000, labels = 10, k = 1000, runs = 9, warmups = 2, distDir } = {}) {
  const S = await load(distDir);
  log(`strategies: generating ${fmt.int(rows)} × ${labels} Dirichlet probabilities`);
  const probabilities = dirichletProbabilities(rows, labels);
  const pool = servicePool(rows);
  const input = { probabilities };
  const pooled = { probabilities, candidates: pool.candidates, labelled: pool.labelled };
  // The fused top-k (validate + score + bounded heap in one pass), when this build has it.
  const fused = await import(pathToFileURL(join(S.distDir, 'src', 'modules', 'strategies', 'uncertainty.js')).href).then((m) => m.topUncertain);
  /** [name, measure, pooled?, target?, fn] */
  const tasks = [['floor', null, false, false, () => floorSum(probabilities.data)]];
  for (const id of UNCERTAINTY) {
    const def = S.getStrategy(id);
    tasks.push([`registry: ${id}`, id, false, true, () => def.select(input, k, S.createRng(1))]);
  }
  for (const id of UNCERTAINTY) {
    const def = S.getStrategy(id);
    tasks.push([`registry + service pool: ${id}`, id, true, false, () => def.select(pooled, k, S.createRng(1))]);
  }
  if (fused) {
    for (const id of UNCERTAINTY) tasks.push([`topUncertain (not in the registry yet): ${id}`, id, false, false, () => fused(probabilities, id, k)]);
    for (const id of UNCERTAINTY) tasks.push([`topUncertain + service pool: ${id}`, id, true, false, () => fused(probabilities, id, k, { candidates: pool.candidates, labelled: pool.labelled })]);
  }
  const ms = new Map(tasks.map(([name]) => [name, []]));
  const last = new Map();
  // interleaved round-robin, so load changes hit the floor and every strategy alike
  for (let round = 0; round < warmups + runs; round++) {
    for (const [name, , , , fn] of tasks) {
      const t0 = performance.now();
      const out = fn();
      const t = performance.now() - t0;
      if (round >= warmups) ms.get(name).push(t);
      last.set(name, out);
    }
  }
  const floorMs = median(ms.get('floor'));
  const refs = new Map(UNCERTAINTY.map((id) => [id, referenceScores(id, probabilities)]));
  const results = tasks.map(([name, id, isPooled, target]) => {
    const xs = ms.get(name);
    const row = { name, id, pool: isPooled, target, medianMs: median(xs), minMs: Math.min(...xs), maxMs: Math.max(...xs), ratio: median(xs) / floorMs, runs: xs };
    if (!id) return row;
    const sel = last.get(name);
    const problem = checkSelection(sel, refs.get(id), k, id === 'entropy' ? 1e-7 : 0, isPooled ? pool.mark : null);
    if (problem) throw new Error(`${name}: selection differs from the reference: ${problem}`);
    return { ...row, picks: pickHash(sel.index), kthScore: sel.score[k - 1] };
  });
  return { rows, labels, k, runs, warmups, distDir: S.distDir, labelled: pool.labelled.length, floorMs, results };
}

/** One diversity strategy on fresh data, in this process (the child side of `--child ID`). */
async function diversityChild({ id, rows, labels, dim, k, distDir }) {
  const S = await load(distDir);
  const probabilities = dirichletProbabilities(rows, labels);
  const embeddings = clusteredEmbeddings(rows, dim);
  const rssBeforeKiB = Math.round(process.memoryUsage().rss / 1024);
  const t0 = performance.now();
  const sel = S.getStrategy(id).select({ probabilities, embeddings }, k, S.createRng(1));
  const ms = performance.now() - t0;
  if (sel.index.length !== k || new Set(sel.index).size !== k) throw new Error(`${id}: ${sel.index.length} picks, ${new Set(sel.index).size} distinct, expected ${k}`);
  return { id, ms, rssBeforeKiB, picks: pickHash(sel.index) };
}

export async function runDiversityBench({ rows = 1_000_000, labels = 10, dim = 256, k = 1000, ids = DIVERSITY, distDir } = {}) {
  const results = [];
  for (const id of ids) {
    const args = [SELF, '--child', id, '--rows', rows, '--labels', labels, '--dim', dim, '--k', k, ...(distDir ? ['--dist', distDir] : [])].map(String);
    const r = await runChild(process.execPath, args, { timeoutMs: CHILD_TIMEOUT_MS });
    const out = JSON.parse(r.stdout);
    results.push({ ...out, maxRssKiB: r.maxRssKiB, targeted: DIVERSITY_TARGETED.has(id) });
    log(`strategies: ${id}: ${(out.ms / 1000).toFixed(2)} s, peak RSS ${fmt.mib(r.maxRssKiB)} (${fmt.mib(out.rssBeforeKiB)} before the call)`);
  }
  return { rows, labels, dim, k, inputMiB: (rows * (dim + labels) * 4) / 2 ** 20, results };
}

export async function runStrategiesBench({ rows = 1_000_000, labels = 10, k = 1000, runs = 9, warmups = 2, dim = 256, diversity = DIVERSITY, distDir } = {}) {
  const uncertainty = await runUncertaintyBench({ rows, labels, k, runs, warmups, distDir });
  const div = diversity.length ? await runDiversityBench({ rows, labels, dim, k, ids: diversity, distDir }) : null;
  return { uncertainty, diversity: div };
}

export function strategiesTable(r, { md = false } = {}) {
  const u = r.uncertainty;
  const out = [
    table(
      [
        [`${fmt.int(u.rows)} × ${u.labels} probabilities, top-${fmt.int(u.k)}`, `median of ${u.runs}`, 'min', 'ratio to floor', `< ${UNCERTAINTY_TARGET_MS} ms`, 'picks (FNV-1a)'],
        ...u.results.map((x) =>
          x.id === null
            ? ['floor: one pass summing every value', fmt.ms(x.medianMs), fmt.ms(x.minMs), '1.0x', '', '']
            : [x.name, fmt.ms(x.medianMs), fmt.ms(x.minMs), `${x.ratio.toFixed(1)}x`, x.target ? (x.medianMs < UNCERTAINTY_TARGET_MS ? 'met' : 'NOT met') : '', x.picks],
        ),
      ],
      { md },
    ),
    '',
    `service pool: ${fmt.int(u.labelled)} labelled rows (seeded 10%) passed as \`labelled\`, the others as \`candidates\`, as src/modules/queue/selection.ts does`,
  ];
  const d = r.diversity;
  if (d) {
    out.push(
      '',
      table(
        [
          [`${fmt.int(d.k)} of ${fmt.int(d.rows)} × ${d.dim} embeddings`, 'time (1 run)', 'peak RSS', 'RSS before the call', `< ${DIVERSITY_TARGET_MS / 1000} s`],
          ...d.results.map((x) => [
            x.id,
            `${(x.ms / 1000).toFixed(2)} s`,
            fmt.mib(x.maxRssKiB),
            fmt.mib(x.rssBeforeKiB),
            x.targeted ? (x.ms < DIVERSITY_TARGET_MS ? 'met' : 'NOT met') : '(no target)',
          ]),
        ],
        { md },
      ),
      '',
      `input: ${fmt.int(d.rows)} × ${d.dim} float32 embeddings + ${d.labels} probabilities = ${d.inputMiB.toFixed(0)} MiB`,
    );
  }
  return out.join('\n');
}

if (isMain(import.meta.url)) {
  const f = flags();
  const num = (v, d) => (v === undefined ? d : Number(v));
  const rows = num(f.rows, 1_000_000), labels = num(f.labels, 10), k = num(f.k, 1000), dim = num(f.dim, 256);
  const distDir = f.dist ? String(f.dist) : undefined;
  if (f.child) {
    process.stdout.write(JSON.stringify(await diversityChild({ id: String(f.child), rows, labels, dim, k, distDir })) + '\n');
  } else {
    const div = f.diversity === undefined || f.diversity === 'all' ? DIVERSITY : f.diversity === 'none' ? [] : String(f.diversity).split(',');
    const m = machine();
    const r = await runStrategiesBench({ rows, labels, k, dim, runs: num(f.runs, 9), warmups: num(f.warmups, 2), diversity: div, distDir });
    console.log(`machine: ${m.nproc} CPUs (${m.cpu}), node ${m.node}; dist: ${r.uncertainty.distDir}`);
    console.log(strategiesTable(r));
    console.log(JSON.stringify({ bench: 'strategies', date: new Date().toISOString(), machine: m, ...r }));
  }
}
