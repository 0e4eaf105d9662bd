// Scoring and training throughput (issue 3). One temporary database (deleted at the
// end) holds project P (N items × 256 float32 features, 10 Gaussian classes, 5,000 of
// them labelled) and project T (50,000 items, all labelled). Rows are written
// directly with better-sqlite3 into a database made by openDb, exactly as the
// importer writes them (every column, a committed `imports` row, feature_dim set).
//
//   1. scoreNow over all of P with a softmax version (trained on the 5k labels, 5
//      epochs), 1 and 2 model threads: items/s and peak RSS (each run a child process;
//      the worker threads live in it too). Floors in the same run, each a child:
//      read   — a plain sequential read of the same feature BLOBs (one thread),
//      compute — chunked (4,096 rows) matMul + softmax in TF.js on the data in memory (one thread),
//      write  — 1M prediction rows into the same WITHOUT ROWID table, 4,096 rows a transaction,
//               one row an INSERT (the plain way) and 32 rows an INSERT (as the pipeline writes).
//      stages — (first round) the pipeline's own functions one after the other in one thread,
//               each stage timed (wall and CPU): where a run's time goes.
//   2. The same with a 256→256→10 mlp version (trained 2 epochs on the 5k labels).
//   3. trainNow softmax on T (50,000 × 256, default parameters): wall time, validation accuracy.
//   4. `quorum serve` scoring all of P as a background job (POST …/scoring-runs) while
//      GET /health is sent every 20 ms (open loop); p50/p99 against the same with no run;
//      then one re-score of the same version (it ends by deleting the superseded predictions).
//
//   node bench/scoring.js [--items 1000000] [--runs 3] [--train-items 50000] [--labelled 5000]
//                         [--only score,mlp,train,serve] [--keep]
// --keep leaves the temporary directory (its path is logged).
// Internal: node bench/scoring.js --phase read|compute|write|score|stages --db FILE … (one measurement, JSON on stdout).
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { LABELS, OUT, ROOT, DIM, ensureOut, flags, fmt, isMain, log, machine, median, prng, runChild, table } from './lib.js';
import { startServer } from './listing.js';

const SELF = fileURLToPath(import.meta.url);
const dist = (p) => import(join(ROOT, 'dist', 'src', p));
const CHILD_TIMEOUT_MS = 15 * 60_000;
const SLICE = 4096; // scoring.service.ts SLICE_ITEMS
const CLASSES = LABELS.length;
/** Class centres ~ N(0, SEP²) per dimension, unit noise: the classes overlap (accuracy < 1). */
const SEP = 0.2;
const HEALTH_EVERY_MS = 20;

/** Standard normal draws from a uniform generator (Box–Muller, both halves used). */
function gaussian(rand) {
  let spare = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = rand();
    while (u <= 1e-12) u = rand();
    const m = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * rand();
    spare = m * Math.sin(a);
    return m * Math.cos(a);
  };
}

function centres(seed = 7) {
  const g = gaussian(prng(seed));
  const c = new Float32Array(CLASSES * DIM);
  for (let i = 0; i < c.length; i++) c[i] = g() * SEP;
  return c;
}

/** nearest-rank percentile of an unsorted array */
function pct(xs, p) {
  if (!xs.length) return null;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

function vmHwmKiB() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const WORDS = ['the', 'model', 'label', 'review', 'great', 'poor', 'shipping', 'price', 'quality', 'fast', 'broken', 'works'];

/**
 * Writes `n` items into a project as one committed import: the importer's INSERT with
 * every column (rand = stableRandom(externalId, projectId), content_hash of split/text/
 * features/meta, import_id, import_line), a label annotation (source 'import') on the
 * first `labelled` items. Returns the class of every item.
 */
async function fillProject(deps, { projectId, prefix, n, labelled, annotatorId, seed }) {
  const { stableRandom } = await dist('core/random.js');
  const { contentHash } = await dist('modules/items/import/record.js');
  const c = deps.db.$client;
  const now = Date.now();
  const importId = Number(
    c.prepare(`INSERT INTO imports (project_id, job_id, state, source, created_at) VALUES (?, NULL, 'staging', ?, ?)`).run(projectId, `bench-${prefix}.jsonl`, now).lastInsertRowid,
  );
  const insItem = c.prepare(
    `INSERT INTO items (project_id, external_id, split, text, features, meta, rand, content_hash, import_id, import_line, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insAnn = c.prepare(`INSERT INTO annotations (item_id, project_id, annotator_id, value, source, created_at, import_id) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const rand = prng(seed);
  const g = gaussian(rand);
  const ctr = centres();
  const f = new Float32Array(DIM);
  const buf = Buffer.from(f.buffer);
  const classes = new Uint8Array(n);
  const BATCH = 20_000;
  const t0 = performance.now();
  for (let start = 0; start < n; start += BATCH) {
    const end = Math.min(n, start + BATCH);
    c.transaction(() => {
      for (let i = start; i < end; i++) {
        const cls = Math.floor(rand() * CLASSES);
        classes[i] = cls;
        const o = cls * DIM;
        for (let d = 0; d < DIM; d++) f[d] = ctr[o + d] + g();
        const ext = `${prefix}-${i + 1}`;
        const text = `${WORDS[i % WORDS.length]} ${WORDS[(i >> 3) % WORDS.length]} ${ext}`;
        const id = Number(insItem.run(projectId, ext, 'pool', text, buf, null, stableRandom(ext, projectId), contentHash('pool', text, buf, null), importId, i + 1, now, now).lastInsertRowid);
        if (i < labelled) insAnn.run(id, projectId, annotatorId, JSON.stringify(LABELS[cls]), 'import', now, importId);
      }
    }).immediate();
    if (end % 200_000 === 0 || end === n) log(`scoring: ${prefix}: ${fmt.int(end)} / ${fmt.int(n)} items (${fmt.int(end / ((performance.now() - t0) / 1000))}/s)`);
  }
  c.transaction(() => {
    c.prepare('UPDATE projects SET feature_dim = ? WHERE id = ? AND feature_dim IS NULL').run(DIM, projectId);
    c.prepare(`UPDATE imports SET state = 'committed', finished_at = ? WHERE id = ?`).run(Date.now(), importId);
  }).immediate();
  return classes;
}

async function silentDeps(dbPath, modelWorkers) {
  const pino = (await import('pino')).default;
  const { loadConfig } = await dist('config/index.js');
  const { buildDeps } = await dist('deps.js');
  return buildDeps(loadConfig({}, { dbPath, tmpDir: join(dbPath, '..', 'tmp'), logLevel: 'silent', modelWorkers }), { logger: pino({ level: 'silent' }) });
}

function trainingReport(dbPath, project, version) {
  const h = new Database(dbPath, { readonly: true });
  try {
    const row = h
      .prepare('SELECT v.training_report AS r FROM model_versions v JOIN projects p ON p.id = v.project_id WHERE p.name = ? AND v.version = ?')
      .get(project, version);
    return JSON.parse(row.r);
  } finally {
    h.close();
  }
}

/** Builds the database and trains the versions (in this process); returns the figures of part 3. */
async function prepare({ dir, items, labelled, trainItems, trainRuns, only }) {
  const dbPath = join(dir, 'scoring.db');
  const deps = await silentDeps(dbPath, 2);
  const out = { dbPath };
  try {
    const { createProject } = await dist('modules/projects/index.js');
    const { createUser } = await dist('modules/users/index.js');
    const { trainNow } = await dist('modules/training/index.js');
    createProject(deps, { name: 'P', labels: LABELS });
    createProject(deps, { name: 'T', labels: LABELS });
    const labeller = createUser(deps, { name: 'bench-labeller', role: 'annotator' });
    out.adminToken = createUser(deps, { name: 'bench-admin', role: 'admin' }).token;
    const pid = (name) => deps.db.$client.prepare('SELECT id FROM projects WHERE name = ?').pluck().get(name);
    let t0 = performance.now();
    await fillProject(deps, { projectId: pid('P'), prefix: 'item', n: items, labelled, annotatorId: labeller.id, seed: 1 });
    out.buildMs = performance.now() - t0;
    if (only.has('train')) await fillProject(deps, { projectId: pid('T'), prefix: 't', n: trainItems, labelled: trainItems, annotatorId: labeller.id, seed: 2 });
    deps.db.$client.pragma('wal_checkpoint(TRUNCATE)');
    out.dbMiB = Number(deps.db.$client.pragma('page_count', { simple: true })) * Number(deps.db.$client.pragma('page_size', { simple: true })) / 2 ** 20;
    log(`scoring: database ${fmt.int(out.dbMiB)} MiB, P built in ${fmt.ms(out.buildMs)}`);
    await deps.models.probeBackend();
    out.backend = deps.models.knownBackend()?.name ?? null;

    const train = async (project, body) => {
      t0 = performance.now();
      const { run, job } = await trainNow(deps, project, body);
      const ms = performance.now() - t0;
      if (job.status !== 'succeeded') throw new Error(`training ${JSON.stringify(body)} on ${project}: ${job.status} ${job.error}`);
      return { ms, version: run.modelVersion, report: trainingReport(dbPath, project, run.modelVersion) };
    };
    out.softmax = await train('P', { kind: 'softmax', seed: 1, epochs: 5 });
    log(`scoring: softmax v${out.softmax.version} on ${fmt.int(labelled)} labels in ${fmt.ms(out.softmax.ms)}, val acc ${out.softmax.report.validationAccuracy}`);
    out.mlp = await train('P', { kind: 'mlp', seed: 1, epochs: 2, hidden: [256] });
    log(`scoring: mlp v${out.mlp.version} on ${fmt.int(labelled)} labels in ${fmt.ms(out.mlp.ms)}, val acc ${out.mlp.report.validationAccuracy}`);
    if (only.has('train')) {
      out.train = [];
      for (let r = 0; r < trainRuns; r++) {
        const t = await train('T', { kind: 'softmax', seed: 1 });
        out.train.push(t);
        log(`scoring: train softmax on ${fmt.int(trainItems)} run ${r + 1}/${trainRuns}: ${fmt.ms(t.ms)} (${t.report.epochsRun} epochs, best ${t.report.bestEpoch}), val acc ${t.report.validationAccuracy}`);
      }
    }
  } finally {
    await deps.close();
  }
  return out;
}

/** Back to no predictions (untimed), so that every scoring run does the same work (a run deletes superseded predictions). */
function resetPredictions(dbPath) {
  const h = new Database(dbPath);
  try {
    h.pragma('busy_timeout = 10000');
    h.exec('DELETE FROM predictions; DELETE FROM scoring_runs;');
    h.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    h.close();
  }
}

async function child(phase, args) {
  const r = await runChild(process.execPath, [SELF, '--phase', phase, ...args.map(String)], { timeoutMs: CHILD_TIMEOUT_MS });
  const res = JSON.parse(r.stdout.trim().split('\n').pop());
  return { ...res, maxRssKiB: r.maxRssKiB ?? res.vmHwmKiB, wallMs: r.wallMs };
}

// ---------------------------------------------------------------- child phases

/** Floor: one plain sequential read of the project's feature BLOBs. */
function phaseRead({ db, project }) {
  const h = new Database(db, { readonly: true, fileMustExist: true });
  const pid = h.prepare('SELECT id FROM projects WHERE name = ?').pluck().get(project);
  const st = h.prepare('SELECT features FROM items WHERE project_id = ? ORDER BY id').pluck();
  const t0 = performance.now();
  let rows = 0, bytes = 0;
  for (const b of st.iterate(pid)) {
    rows++;
    bytes += b.length;
  }
  const ms = performance.now() - t0;
  h.close();
  return { ms, rows, bytes };
}

/** Floor: TF.js (same backend as the workers) on the features already in memory, 4,096 rows a call, one thread. */
async function phaseCompute({ db, project, model }) {
  const h = new Database(db, { readonly: true, fileMustExist: true });
  const pid = h.prepare('SELECT id FROM projects WHERE name = ?').pluck().get(project);
  const n = h.prepare('SELECT count(*) FROM items WHERE project_id = ?').pluck().get(pid);
  const X = new Float32Array(n * DIM);
  const bytes = new Uint8Array(X.buffer);
  let r = 0;
  for (const b of h.prepare('SELECT features FROM items WHERE project_id = ? ORDER BY id').pluck().iterate(pid)) bytes.set(b, DIM * 4 * r++);
  h.close();
  const { tf, initBackend } = await dist('modules/models/tfjs/index.js');
  const backend = await initBackend();
  const rand = prng(3);
  const tensor = (rows, cols) => tf.tensor2d(Float32Array.from({ length: rows * cols }, () => rand() * 0.1 - 0.05), [rows, cols]);
  const layers = model === 'mlp' ? [[tensor(DIM, 256), tf.zeros([256])], [tensor(256, CLASSES), tf.zeros([CLASSES])]] : [[tensor(DIM, CLASSES), tf.zeros([CLASSES])]];
  const out = new Float32Array(n * CLASSES);
  const pass = (from, to) => {
    for (let s = from; s < to; s += SLICE) {
      const e = Math.min(to, s + SLICE);
      const y = tf.tidy(() => {
        let z = tf.tensor2d(X.subarray(s * DIM, e * DIM), [e - s, DIM]);
        layers.forEach(([w, b], l) => {
          z = tf.add(tf.matMul(z, w), b);
          if (l + 1 < layers.length) z = tf.relu(z);
        });
        return tf.softmax(z);
      });
      out.set(y.dataSync(), s * CLASSES);
      y.dispose();
    }
  };
  pass(0, Math.min(n, 4 * SLICE)); // warm-up (kernel set-up)
  const t0 = performance.now();
  pass(0, n);
  return { ms: performance.now() - t0, rows: n, backend };
}

/**
 * Floor: 1M prediction rows (probs BLOB of 10 float32, 3 reals, an int) into the predictions
 * table's DDL, 4,096 rows a transaction, `perStatement` rows an INSERT (1: the plain way).
 */
function phaseWrite({ dir, rows: rowsArg, 'per-statement': perArg }) {
  const rows = Number(rowsArg);
  const per = Number(perArg ?? 1);
  const path = join(dir, 'write-floor.db');
  for (const p of [path, `${path}-wal`, `${path}-shm`]) rmSync(p, { force: true });
  const h = new Database(path);
  h.pragma('journal_mode = WAL');
  h.pragma('foreign_keys = ON');
  h.pragma('synchronous = NORMAL');
  h.pragma('cache_size = -65536');
  h.exec(`CREATE TABLE scoring_runs (id integer PRIMARY KEY AUTOINCREMENT NOT NULL);
    CREATE TABLE predictions (scoring_run_id integer NOT NULL, item_id integer NOT NULL, label integer NOT NULL, max_prob real NOT NULL,
      margin real NOT NULL, entropy real NOT NULL, probs blob NOT NULL, PRIMARY KEY(scoring_run_id, item_id),
      FOREIGN KEY (scoring_run_id) REFERENCES scoring_runs(id) ON UPDATE no action ON DELETE cascade) WITHOUT ROWID;
    INSERT INTO scoring_runs (id) VALUES (1);`);
  const sql = (n) => `INSERT INTO predictions (scoring_run_id, item_id, label, max_prob, margin, entropy, probs) VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
  const one = h.prepare(sql(1));
  const many = h.prepare(sql(per));
  const args = new Array(per * 7);
  const rand = prng(5);
  const probs = Float32Array.from({ length: SLICE * CLASSES }, () => rand());
  const buf = Buffer.from(probs.buffer);
  const t0 = performance.now();
  for (let s = 0; s < rows; s += SLICE) {
    const e = Math.min(rows, s + SLICE);
    h.transaction(() => {
      let r = s;
      for (; per > 1 && r + per <= e; r += per) {
        for (let j = 0; j < per; j++) {
          const q = r + j, o = (q - s) * CLASSES;
          const a = j * 7;
          args[a] = 1;
          args[a + 1] = q + 1;
          args[a + 2] = q % CLASSES;
          args[a + 3] = probs[o];
          args[a + 4] = probs[o + 1];
          args[a + 5] = probs[o + 2];
          args[a + 6] = buf.subarray(o * 4, (o + CLASSES) * 4);
        }
        many.run(args);
      }
      for (; r < e; r++) {
        const o = (r - s) * CLASSES;
        one.run(1, r + 1, r % CLASSES, probs[o], probs[o + 1], probs[o + 2], buf.subarray(o * 4, (o + CLASSES) * 4));
      }
    }).immediate();
  }
  const ms = performance.now() - t0;
  const stored = h.prepare('SELECT count(*) FROM predictions').pluck().get();
  h.close();
  for (const p of [path, `${path}-wal`, `${path}-shm`]) rmSync(p, { force: true });
  if (stored !== rows) throw new Error(`write floor stored ${stored} rows of ${rows}`);
  return { ms, rows, perStatement: per };
}

/** The pipeline: scoreNow over the whole project with `workers` model threads (pool started before the clock). */
async function phaseScore({ db, project, version, workers }) {
  const { scoreNow } = await dist('modules/scoring/index.js');
  const deps = await silentDeps(db, Number(workers));
  try {
    let t0 = performance.now();
    await deps.models.probeBackend();
    const warmMs = performance.now() - t0;
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    t0 = performance.now();
    const { run, job } = await scoreNow(deps, project, { modelVersion: Number(version) });
    const ms = performance.now() - t0;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (job.status !== 'succeeded') throw new Error(`scoring run ${run.id}: ${job.status} ${job.error}`);
    const stored = deps.db.$client.prepare('SELECT count(*) FROM predictions WHERE scoring_run_id = ?').pluck().get(run.id);
    if (stored !== run.itemCount) throw new Error(`scoring run ${run.id} stored ${stored} predictions for ${run.itemCount} items`);
    return { ms, rows: run.itemCount, warmMs, rssBeforeKiB: rssBefore / 1024, rssPeakSampledKiB: peak / 1024, vmHwmKiB: vmHwmKiB(), threads: deps.models.threads, result: job.result };
  } finally {
    await deps.close();
  }
}

/**
 * Where a run's time goes: the pipeline's own functions (dist/) one after the other in
 * ONE thread over every slice, each stage timed apart (wall and this thread's CPU):
 * ranges (itemIdRanges), read (readItemRange, as a worker reads), predict (the adapter),
 * summarise (toProjectOrder + summarize), write (insertPredictions, a transaction a slice).
 * The predictions are written under a scoring run of the version and deleted after.
 */
async function phaseStages({ db, project, version }) {
  const { openDb, runInTransaction } = await dist('db/index.js');
  const { itemIdRanges, openReadHandle, readItemRange } = await dist('modules/scoring/item-batches.repo.js');
  const { insertPredictions } = await dist('modules/scoring/scoring.repo.js');
  const { summarize, toProjectOrder, columnMapFor } = await dist('modules/scoring/summaries.js');
  const { createAdapter, readVersionSpec } = await dist('modules/models/index.js');
  const w = openDb(db);
  const h = openReadHandle(db);
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const stages = { ranges: [0, 0], read: [0, 0], predict: [0, 0], summarise: [0, 0], write: [0, 0] };
  const timed = (name, fn) => {
    const t = performance.now(), c = cpuMs();
    const r = fn();
    stages[name][0] += performance.now() - t;
    stages[name][1] += cpuMs() - c;
    return r;
  };
  try {
    const p = w.$client.prepare('SELECT id, labels, feature_dim AS dim FROM projects WHERE name = ?').get(project);
    const labels = JSON.parse(p.labels);
    const v = w.$client.prepare('SELECT id FROM model_versions WHERE project_id = ? AND version = ?').get(p.id, Number(version));
    const spec = readVersionSpec(h, v.id);
    const adapter = await createAdapter(spec);
    const columnMap = columnMapFor(spec.labels, labels);
    const runId = Number(
      w.$client.prepare(`INSERT INTO scoring_runs (project_id, model_version_id, status, created_at) VALUES (?, ?, 'running', ?)`).run(p.id, v.id, Date.now()).lastInsertRowid,
    );
    const { ranges } = timed('ranges', () => itemIdRanges(w.$client, p.id, SLICE));
    let rows = 0;
    for (const [from, to] of ranges) {
      const { itemIds, batch, skipped } = timed('read', () => readItemRange(h, p.id, from, to, { input: adapter.capabilities.input, featureDim: p.dim }));
      const t = performance.now(), c = cpuMs();
      const pr = await adapter.predictProba(batch); // synchronous work inside for the built-in models
      stages.predict[0] += performance.now() - t;
      stages.predict[1] += cpuMs() - c;
      const slice = timed('summarise', () => {
        const probs = toProjectOrder(pr, columnMap, labels.length);
        return { rows: pr.rows, itemIds, probs, skipped, ...summarize(probs, pr.rows, labels.length, adapter.multiLabel) };
      });
      timed('write', () => runInTransaction(w, () => insertPredictions(w, runId, slice)));
      rows += pr.rows;
    }
    await adapter.dispose();
    w.$client.prepare('DELETE FROM predictions WHERE scoring_run_id = ?').run(runId);
    w.$client.prepare('DELETE FROM scoring_runs WHERE id = ?').run(runId);
    const out = { rows, stages: {} };
    for (const [k, [ms, cpu]] of Object.entries(stages)) out.stages[k] = { ms, cpuMs: cpu };
    out.ms = Object.values(stages).reduce((s, x) => s + x[0], 0);
    return out;
  } finally {
    h.close();
    w.$client.close();
  }
}

async function runPhase(f) {
  const phases = { read: phaseRead, compute: phaseCompute, write: phaseWrite, score: phaseScore, stages: phaseStages };
  const fn = phases[f.phase];
  if (!fn) throw new Error(`unknown phase ${f.phase}`);
  const res = await fn(f);
  process.stdout.write(JSON.stringify({ ...res, vmHwmKiB: res.vmHwmKiB ?? vmHwmKiB() }) + '\n');
}

// ---------------------------------------------------------------- server responsiveness

/** GET /health every `everyMs` (open loop: a slow answer does not delay the next request), keep-alive. */
function healthSampler(baseUrl, everyMs = HEALTH_EVERY_MS) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const lat = [];
  let errors = 0, inflight = 0;
  const t0 = performance.now();
  const timer = setInterval(() => {
    const s = performance.now();
    inflight++;
    const req = http.get({ host: url.hostname, port: url.port, path: '/health', agent }, (res) => {
      res.resume();
      res.on('end', () => {
        inflight--;
        if (res.statusCode === 200) lat.push(performance.now() - s);
        else errors++;
      });
    });
    req.on('error', () => {
      inflight--;
      errors++;
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      const secs = (performance.now() - t0) / 1000;
      for (let i = 0; i < 300 && inflight > 0; i++) await new Promise((r) => setTimeout(r, 20));
      agent.destroy();
      return summarizeLatency(lat, errors, secs);
    },
  };
}

function summarizeLatency(lat, errors, seconds) {
  return { n: lat.length, p50: pct(lat, 50), p90: pct(lat, 90), p99: pct(lat, 99), max: lat.length ? Math.max(...lat) : null, over50: lat.filter((x) => x > 50).length, errors, seconds, lat };
}

async function api(base, token, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

export async function serveBench({ dbPath, token, version, runs, idleSeconds = 5, workers = 2 }) {
  resetPredictions(dbPath);
  const saved = process.env.QUORUM_MODEL_WORKERS;
  process.env.QUORUM_MODEL_WORKERS = String(workers);
  const server = await startServer(dbPath);
  if (saved === undefined) delete process.env.QUORUM_MODEL_WORKERS;
  else process.env.QUORUM_MODEL_WORKERS = saved;
  log(`scoring: server at ${server.url} (pid ${server.pid}), ${workers} model threads`);
  try {
    for (let i = 0; i < 150; i++) {
      const h = await (await fetch(server.url + '/health')).json();
      if (h.models.backend) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const idle = [];
    const busy = [];
    const idleOnce = async () => {
      const s = healthSampler(server.url);
      await new Promise((r) => setTimeout(r, idleSeconds * 1000));
      const res = await s.stop();
      idle.push(res);
      log(`scoring: /health idle: p50 ${fmt.ms(res.p50)}, p99 ${fmt.ms(res.p99)}, max ${fmt.ms(res.max)} (${res.n} requests)`);
    };
    await idleOnce();
    const rescore = [];
    // `runs` runs from no predictions, then one re-score of the same version without a reset:
    // that run ends by deleting the superseded run's predictions.
    for (let r = 0; r <= runs; r++) {
      const again = r === runs;
      if (!again) resetPredictions(dbPath);
      const s = healthSampler(server.url);
      const t0 = performance.now();
      const started = await api(server.url, token, 'POST', '/api/v1/projects/P/scoring-runs', { modelVersion: version });
      const runId = started.scoringRun.id;
      let job;
      for (;;) {
        // the job, not the run: a run is 'succeeded' before its job has deleted superseded predictions
        await new Promise((res) => setTimeout(res, 250));
        job = await api(server.url, token, 'GET', `/api/v1/jobs/${started.job.id}`);
        if (job.status !== 'queued' && job.status !== 'running') break;
      }
      const ms = performance.now() - t0;
      const res = await s.stop();
      const run = await api(server.url, token, 'GET', `/api/v1/projects/P/scoring-runs/${runId}`);
      if (job.status !== 'succeeded' || run.status !== 'succeeded') throw new Error(`scoring run ${runId} under the server: job ${job.status}, run ${run.status} ${run.error ?? job.error}`);
      (again ? rescore : busy).push({ ...res, runMs: ms, items: run.itemCount, jobItemsPerSec: job.result?.itemsPerSecond ?? null, jobSeconds: job.result?.seconds ?? null });
      log(`scoring: /health during ${again ? 're-score' : `run ${r + 1}/${runs}`} (${fmt.int(run.itemCount)} items, job ${job.result?.seconds} s = ${fmt.int(job.result?.itemsPerSecond)}/s): p50 ${fmt.ms(res.p50)}, p99 ${fmt.ms(res.p99)}, max ${fmt.ms(res.max)}, ${res.over50} of ${res.n} over 50 ms`);
      await idleOnce();
    }
    const pool = (xs) => summarizeLatency(xs.flatMap((x) => x.lat), xs.reduce((s, x) => s + x.errors, 0), xs.reduce((s, x) => s + x.seconds, 0));
    const strip = ({ lat: _lat, ...rest }) => rest;
    return {
      workers,
      everyMs: HEALTH_EVERY_MS,
      serverPeakRssKiB: server.peakRssKiB(),
      idle: strip(pool(idle)),
      busy: { ...strip(pool(busy)), itemsPerSec: median(busy.map((b) => b.jobItemsPerSec)) },
      rescore: { ...strip(pool(rescore)), itemsPerSec: median(rescore.map((b) => b.jobItemsPerSec)) },
      runs: { idle: idle.map(strip), busy: busy.map(strip), rescore: rescore.map(strip) },
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------- the benchmark

export async function runScoringBench({ items = 1_000_000, runs = 3, trainItems = 50_000, labelled = 5_000, only = ['score', 'mlp', 'train', 'serve'], keep = false } = {}) {
  const want = new Set(only);
  const dir = mkdtempSync(join(tmpdir(), 'quorum-scoring-'));
  log(`scoring: temporary directory ${dir}`);
  try {
    const prep = await prepare({ dir, items, labelled, trainItems, trainRuns: runs, only: want });
    const db = prep.dbPath;
    const samples = { read: [], write: [], write32: [], computeSoftmax: [], computeMlp: [], softmax1: [], softmax2: [], mlp1: [], mlp2: [] };
    const stages = {};
    const score = async (key, version, workers) => {
      resetPredictions(db);
      const r = await child('score', ['--db', db, '--project', 'P', '--version', version, '--workers', workers]);
      if (r.rows !== items) throw new Error(`scored ${r.rows} items, expected ${items}`);
      samples[key].push(r);
      log(`scoring: ${key}: ${fmt.ms(r.ms)} = ${fmt.int(items / (r.ms / 1000))} items/s, peak RSS ${fmt.mib(r.maxRssKiB)} (sampled during the run ${fmt.mib(r.rssPeakSampledKiB)}, before ${fmt.mib(r.rssBeforeKiB)})`);
    };
    const stagesOnce = async (db, version, name) => {
      resetPredictions(db);
      const r = await child('stages', ['--db', db, '--project', 'P', '--version', version]);
      log(`scoring: ${name} stages, one thread: ${Object.entries(r.stages).map(([k, v]) => `${k} ${fmt.ms(v.ms)} (cpu ${fmt.ms(v.cpuMs)})`).join(', ')}`);
      return r;
    };
    // interleaved, so that a noisy neighbour hits pipeline and floors alike
    for (let i = 0; i < runs; i++) {
      log(`scoring: round ${i + 1}/${runs}`);
      const rd = await child('read', ['--db', db, '--project', 'P']);
      if (rd.rows !== items) throw new Error(`read ${rd.rows} rows, expected ${items}`);
      samples.read.push(rd);
      log(`scoring: read floor: ${fmt.ms(rd.ms)} = ${fmt.int(items / (rd.ms / 1000))} rows/s (${fmt.int(rd.bytes / 2 ** 20)} MiB of BLOBs)`);
      const wr = await child('write', ['--dir', dir, '--rows', items]);
      samples.write.push(wr);
      log(`scoring: write floor, 1 row a statement: ${fmt.ms(wr.ms)} = ${fmt.int(items / (wr.ms / 1000))} rows/s`);
      const w32 = await child('write', ['--dir', dir, '--rows', items, '--per-statement', 32]);
      samples.write32.push(w32);
      log(`scoring: write floor, 32 rows a statement: ${fmt.ms(w32.ms)} = ${fmt.int(items / (w32.ms / 1000))} rows/s`);
      if (want.has('score')) {
        const cs = await child('compute', ['--db', db, '--project', 'P', '--model', 'softmax']);
        samples.computeSoftmax.push(cs);
        log(`scoring: compute floor softmax (${cs.backend}, 1 thread): ${fmt.ms(cs.ms)} = ${fmt.int(items / (cs.ms / 1000))} rows/s`);
        if (i === 0) stages.softmax = await stagesOnce(db, prep.softmax.version, 'softmax');
        await score('softmax1', prep.softmax.version, 1);
        await score('softmax2', prep.softmax.version, 2);
      }
      if (want.has('mlp')) {
        const cm = await child('compute', ['--db', db, '--project', 'P', '--model', 'mlp']);
        samples.computeMlp.push(cm);
        log(`scoring: compute floor mlp (${cm.backend}, 1 thread): ${fmt.ms(cm.ms)} = ${fmt.int(items / (cm.ms / 1000))} rows/s`);
        if (i === 0) stages.mlp = await stagesOnce(db, prep.mlp.version, 'mlp');
        await score('mlp1', prep.mlp.version, 1);
        await score('mlp2', prep.mlp.version, 2);
      }
    }
    const agg = (xs) =>
      xs.length
        ? {
            ms: median(xs.map((x) => x.ms)),
            itemsPerSec: items / (median(xs.map((x) => x.ms)) / 1000),
            maxRssKiB: median(xs.map((x) => x.maxRssKiB)),
            rssPeakSampledKiB: xs[0].rssPeakSampledKiB !== undefined ? median(xs.map((x) => x.rssPeakSampledKiB)) : null,
            rssBeforeKiB: xs[0].rssBeforeKiB !== undefined ? median(xs.map((x) => x.rssBeforeKiB)) : null,
            runs: xs.map(({ result: _r, ...rest }) => rest),
          }
        : null;
    const res = {
      machine: machine(),
      items, runs, labelled, trainItems, dim: DIM, classes: CLASSES, backend: prep.backend, dbMiB: prep.dbMiB, buildMs: prep.buildMs,
      versions: { softmax: prep.softmax, mlp: prep.mlp },
    };
    for (const [k, v] of Object.entries(samples)) res[k] = agg(v);
    res.stages = stages;
    if (prep.train) {
      res.train = {
        ms: median(prep.train.map((t) => t.ms)),
        report: prep.train[0].report,
        runs: prep.train.map((t) => ({ ms: t.ms, epochsRun: t.report.epochsRun, validationAccuracy: t.report.validationAccuracy })),
      };
    }
    if (want.has('serve')) res.serve = await serveBench({ dbPath: db, token: prep.adminToken, version: prep.softmax.version, runs });
    return res;
  } finally {
    if (keep) log(`scoring: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

export function scoringTable(res, { md = false } = {}) {
  const read = res.read;
  const rows = [['run', 'time', 'items/s', 'vs read floor', 'peak RSS (process)', 'RSS during run, sampled']];
  const line = (name, r) => r && rows.push([name, fmt.ms(r.ms), fmt.int(r.itemsPerSec), read ? `${(r.ms / read.ms).toFixed(2)}x` : '-', fmt.mib(r.maxRssKiB), r.rssPeakSampledKiB ? fmt.mib(r.rssPeakSampledKiB) : '-']);
  line('scoreNow softmax, 1 thread', res.softmax1);
  line('scoreNow softmax, 2 threads', res.softmax2);
  line('scoreNow mlp 256→256→10, 1 thread', res.mlp1);
  line('scoreNow mlp 256→256→10, 2 threads', res.mlp2);
  line('floor: read feature BLOBs (1 thread)', res.read);
  line('floor: TF.js softmax in memory (1 thread)', res.computeSoftmax);
  line('floor: TF.js mlp in memory (1 thread)', res.computeMlp);
  line('floor: write predictions, 4,096/tx, 1 row/INSERT', res.write);
  line('floor: write predictions, 4,096/tx, 32 rows/INSERT', res.write32);
  return table(rows, { md });
}

/** The one-thread split of a run: each stage's wall and CPU time, and its share of the CPU. */
export function stagesTable(res, { md = false } = {}) {
  const kinds = Object.keys(res.stages ?? {});
  if (!kinds.length) return '';
  const names = ['ranges', 'read', 'predict', 'summarise', 'write'];
  const rows = [['stage (one thread, sequential)', ...kinds.flatMap((k) => [`${k} wall`, `${k} CPU`, 'share'])]];
  for (const n of names) {
    rows.push([n, ...kinds.flatMap((k) => {
      const st = res.stages[k].stages;
      const cpu = Object.values(st).reduce((a, b) => a + b.cpuMs, 0);
      return [fmt.ms(st[n].ms), fmt.ms(st[n].cpuMs), `${((100 * st[n].cpuMs) / cpu).toFixed(0)}%`];
    })]);
  }
  rows.push(['total', ...kinds.flatMap((k) => {
    const st = res.stages[k].stages;
    return [fmt.ms(Object.values(st).reduce((a, b) => a + b.ms, 0)), fmt.ms(Object.values(st).reduce((a, b) => a + b.cpuMs, 0)), ''];
  })]);
  return table(rows, { md });
}

export function trainTable(res, { md = false } = {}) {
  const rows = [['training', 'wall time (trainNow)', 'epochs run / best', 'validation accuracy']];
  const v = res.versions;
  rows.push([`softmax on ${fmt.int(res.labelled)} labels, 5 epochs`, fmt.ms(v.softmax.ms), `${v.softmax.report.epochsRun}/${v.softmax.report.bestEpoch}`, fmt.num(v.softmax.report.validationAccuracy, 3)]);
  rows.push([`mlp [256] on ${fmt.int(res.labelled)} labels, 2 epochs`, fmt.ms(v.mlp.ms), `${v.mlp.report.epochsRun}/${v.mlp.report.bestEpoch}`, fmt.num(v.mlp.report.validationAccuracy, 3)]);
  if (res.train) rows.push([`softmax on ${fmt.int(res.trainItems)} × ${res.dim}, defaults (median of ${res.train.runs.length})`, fmt.ms(res.train.ms), `${res.train.report.epochsRun}/${res.train.report.bestEpoch}`, fmt.num(res.train.report.validationAccuracy, 3)]);
  return table(rows, { md });
}

export function serveTable(res, { md = false } = {}) {
  const s = res.serve;
  if (!s) return '';
  const row = (name, r) => [name, fmt.int(r.n), fmt.ms(r.p50), fmt.ms(r.p90), fmt.ms(r.p99), fmt.ms(r.max), fmt.int(r.over50), fmt.int(r.errors)];
  return table(
    [
      ['GET /health every 20 ms', 'requests', 'p50', 'p90', 'p99', 'max', '> 50 ms', 'errors'],
      row('idle server (baseline)', s.idle),
      row(`during scoring (${s.workers} threads, ${fmt.int(s.busy.itemsPerSec)} items/s)`, s.busy),
      ...(s.rescore?.n ? [row(`during a re-score of the same version (${fmt.int(s.rescore.itemsPerSec)} items/s incl. deleting the old run)`, s.rescore)] : []),
    ],
    { md },
  );
}

export function scoringVerdict(res) {
  const out = [];
  const best = [res.softmax2, res.softmax1].filter(Boolean).sort((a, b) => a.ms - b.ms)[0];
  if (best && res.read) {
    out.push(`softmax end to end ${fmt.int(best.itemsPerSec)} items/s (target ≥ 200,000): ${best.itemsPerSec >= 200_000 ? 'met' : 'missed'}; ${(best.ms / res.read.ms).toFixed(2)}x the plain read (target ≤ 2x): ${best.ms <= 2 * res.read.ms ? 'met' : 'missed'}`);
  }
  if (res.serve) out.push(`/health p99 during a run ${fmt.ms(res.serve.busy.p99)} (target < 50 ms): ${res.serve.busy.p99 < 50 ? 'met' : 'missed'}; idle ${fmt.ms(res.serve.idle.p99)}`);
  return out;
}

if (isMain(import.meta.url)) {
  const f = flags();
  if (f.phase) await runPhase(f);
  else {
    ensureOut();
    const res = await runScoringBench({
      ...(f.items ? { items: Number(f.items) } : {}),
      ...(f.runs ? { runs: Number(f.runs) } : {}),
      ...(f['train-items'] ? { trainItems: Number(f['train-items']) } : {}),
      ...(f.labelled ? { labelled: Number(f.labelled) } : {}),
      ...(f.only ? { only: String(f.only).split(',') } : {}),
      keep: Boolean(f.keep),
    });
    writeFileSync(join(OUT, 'scoring-results.json'), JSON.stringify(res, null, 2));
    console.log(`machine: ${res.machine.nproc} CPUs, node ${res.machine.node}; TF.js backend ${res.backend}; ${fmt.int(res.items)} items × ${res.dim} features, ${res.classes} classes; medians of ${res.runs} runs; database ${fmt.int(res.dbMiB)} MiB`);
    console.log(scoringTable(res));
    console.log(stagesTable(res));
    console.log(trainTable(res));
    if (res.serve) console.log(serveTable(res));
    for (const l of scoringVerdict(res)) console.log(`  ${l}`);
    const brief = {
      items: res.items,
      softmax1: res.softmax1?.itemsPerSec, softmax2: res.softmax2?.itemsPerSec, mlp1: res.mlp1?.itemsPerSec, mlp2: res.mlp2?.itemsPerSec,
      read: res.read?.itemsPerSec, computeSoftmax: res.computeSoftmax?.itemsPerSec, computeMlp: res.computeMlp?.itemsPerSec, write: res.write?.itemsPerSec, write32: res.write32?.itemsPerSec,
      ratioVsRead: res.softmax2 && res.read ? res.softmax2.ms / res.read.ms : null,
      peakRssMiB: res.softmax2 ? res.softmax2.maxRssKiB / 1024 : null,
      trainMs: res.train?.ms ?? null, trainValAcc: res.train?.report.validationAccuracy ?? null,
      healthP99Idle: res.serve?.idle.p99 ?? null, healthP99Busy: res.serve?.busy.p99 ?? null,
    };
    console.log(JSON.stringify(brief));
  }
}
