// Annotation queue under load (issue 5): `quorum serve` on 127.0.0.1 with a project
// of 20,000 items (overlap 1) and 200 annotators, each with its own token; 200
// concurrent simulated annotators loop claim (GET /api/v1/projects/P/tasks/next)
// → submit (POST /api/v1/tasks/ID/annotation with an Idempotency-Key) on
// keep-alive connections (node:http Agent). Floor in the same run: GET /health
// from the same client at the same concurrency.
//
//   node bench/annotate.js [--items 20000] [--annotators 200] [--duration 15] [--warmup 2] [--runs 3]
//                          [--profile] [--plan]
// --profile: one more run with the server under `node --cpu-prof`, top functions by self/total time.
// --plan:    EXPLAIN QUERY PLAN and timings of the claim statement (captured from dist's claimSlot)
//            on the bench database after a run.
//
// Every run starts from a fresh copy of a template database (the queue is used up
// as it is measured), and stops at the deadline or at the first 204 (queue empty).
// After each run the database is checked: one annotation per pair, none twice.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { loadavg } from 'node:os';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { LABELS, OUT, ROOT, ensureOut, flags, fmt, freshDb, isMain, log, machine, median, table } from './lib.js';
import { startServer } from './listing.js';

const dist = (p) => import(join(ROOT, 'dist', 'src', p));
const TEMPLATE_VERSION = 1;

/** nearest-rank percentile of an unsorted array, in ms */
function pct(xs, p) {
  if (!xs.length) return null;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Pairs/s in the first and the last third of the window: does the queue slow down as it is worked? */
function thirds(doneAtMs, secs) {
  const third = (secs * 1000) / 3;
  const first = doneAtMs.filter((t) => t < third).length;
  const last = doneAtMs.filter((t) => t >= 2 * third).length;
  return { firstThirdPerSec: first / (third / 1000), lastThirdPerSec: last / (third / 1000) };
}

/**
 * A template database: project P (labels l0…l9, overlap 1), `items` items with a
 * short text and no labels, `annotators` annotator tokens. Built in-process with
 * dist/ (the CLI would take ~0.5 s per user); reused while its parameters match.
 */
export async function prepareAnnotateDb({ items = 20_000, annotators = 200 } = {}) {
  ensureOut();
  const path = join(OUT, 'annotate-template.db');
  const metaPath = path + '.json';
  const params = { items, annotators, version: TEMPLATE_VERSION };
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    if (JSON.stringify(meta.params) === JSON.stringify(params)) return { template: path, tokens: meta.tokens };
  }
  log(`annotate: building the template (${fmt.int(items)} items, ${annotators} annotators)`);
  freshDb(path);
  const pino = (await import('pino')).default;
  const { loadConfig } = await dist('config/index.js');
  const { buildDeps } = await dist('deps.js');
  const { createProject } = await dist('modules/projects/index.js');
  const { createUser } = await dist('modules/users/index.js');
  const { importItems } = await dist('modules/items/index.js');
  const deps = buildDeps(loadConfig({}, { dbPath: path, tmpDir: join(OUT, 'tmp'), logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  try {
    createProject(deps, { name: 'P', labels: LABELS, settings: { overlap: 1, agreementSample: 0 } });
    let jsonl = '';
    for (let i = 1; i <= items; i++) jsonl += `{"id":"item-${i}","text":"item number ${i}: the model needs a label"}\n`;
    const summary = await importItems(deps, {
      project: 'P', source: Readable.from([Buffer.from(jsonl)]), sourceName: 'annotate.jsonl', format: 'jsonl', split: 'pool',
      labelSource: 'imported', onError: 'abort', upsert: false, maxLineBytes: deps.config.maxLineBytes,
    });
    if (summary.inserted !== items) throw new Error(`imported ${summary.inserted} of ${items}`);
    const tokens = [];
    for (let a = 0; a < annotators; a++) tokens.push(createUser(deps, { name: `ann-${a}`, role: 'annotator' }).token);
    deps.db.$client.pragma('wal_checkpoint(TRUNCATE)');
    await deps.close();
    writeFileSync(metaPath, JSON.stringify({ params, tokens }));
    return { template: path, tokens };
  } catch (e) {
    await deps.close();
    throw e;
  }
}

/** A fresh copy of the template: the run's queue starts full. */
function freshCopy(template, name) {
  const db = freshDb(join(OUT, name));
  copyFileSync(template, db);
  return db;
}

/** One keep-alive HTTP client (node:http Agent) for all simulated users. */
function client(baseUrl, sockets) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  function request(method, path, headers, body) {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: chunks.length ? Buffer.concat(chunks).toString('utf8') : '' }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.end(body);
    });
  }
  return { request, close: () => agent.destroy() };
}

/** `concurrency` loops of GET `path` until the deadline. */
async function getLoad(c, { concurrency, seconds, path = '/health' }) {
  const lat = [];
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const s = performance.now();
      const r = await c.request('GET', path, {});
      if (r.status === 200) lat.push(performance.now() - s);
      else errors++;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  return { reqPerSec: lat.length / secs, p50: pct(lat, 50), p99: pct(lat, 99), requests: lat.length, errors, seconds: secs };
}

/**
 * One loop per token: claim → submit until the deadline, or until any claim
 * answers 204 (the queue is empty: stop everyone, the tail would not be load).
 */
async function annotateLoad(c, tokens, { seconds, seed = 1 }) {
  const claimLat = [];
  const submitLat = [];
  const problems = [];
  const doneAt = [];
  let pairs = 0;
  let exhausted = false;
  let stop = false;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(tokens.map(async (token, u) => {
    const auth = `Bearer ${token}`;
    let n = 0;
    while (!stop && performance.now() < deadline) {
      const s0 = performance.now();
      const claim = await c.request('GET', '/api/v1/projects/P/tasks/next', { authorization: auth });
      const s1 = performance.now();
      if (claim.status === 204) {
        exhausted = true;
        stop = true;
        break;
      }
      if (claim.status !== 200) {
        problems.push(`claim ${claim.status} ${claim.body.slice(0, 200)}`);
        stop = true;
        break;
      }
      claimLat.push(s1 - s0);
      const { taskId } = JSON.parse(claim.body);
      const body = `{"label":"${LABELS[(u + n + seed) % LABELS.length]}"}`;
      const s2 = performance.now();
      const sub = await c.request('POST', `/api/v1/tasks/${taskId}/annotation`, {
        authorization: auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'idempotency-key': `u${u}-t${taskId}`,
      }, body);
      const s3 = performance.now();
      if (sub.status !== 200) {
        problems.push(`submit ${sub.status} ${sub.body.slice(0, 200)}`);
        stop = true;
        break;
      }
      submitLat.push(s3 - s2);
      doneAt.push(s3 - t0);
      pairs++;
      n++;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  return {
    pairsPerSec: pairs / secs, pairs, seconds: secs, exhausted, problems, ...thirds(doneAt, secs),
    claim: { p50: pct(claimLat, 50), p90: pct(claimLat, 90), p99: pct(claimLat, 99), max: pct(claimLat, 100) },
    submit: { p50: pct(submitLat, 50), p90: pct(submitLat, 90), p99: pct(submitLat, 99), max: pct(submitLat, 100) },
  };
}

/** What the run stored: one current annotation per pair, no item labelled twice, no slot over-filled. */
function checkDb(db, pairs) {
  const sqlite = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const n = sqlite.prepare(`SELECT count(*) AS n FROM annotations WHERE source = 'task'`).get().n;
    const twice = sqlite.prepare(`SELECT count(*) AS n FROM (SELECT item_id FROM annotations GROUP BY item_id HAVING count(*) > 1)`).get().n;
    const slots = sqlite.prepare(`SELECT count(*) AS n FROM queue_slots`).get().n;
    const done = sqlite.prepare(`SELECT count(*) AS n FROM tasks WHERE status = 'done'`).get().n;
    if (n !== pairs || done !== pairs || twice !== 0) throw new Error(`after the run: ${n} annotations, ${done} done tasks for ${pairs} pairs; ${twice} items labelled twice`);
    return { annotations: n, slots };
  } finally {
    sqlite.close();
  }
}

/**
 * A bare node:http server in a child (no framework, no database) answering a
 * small JSON: what this machine gives at this concurrency before Quorum does anything.
 */
async function startBareServer() {
  const code = `import { spawn } from 'node:child_process';
import http from 'node:http';
import { loadavg } from 'node:os';
const body = '{"status":"ok"}';
const s = http.createServer((req, res) => { req.resume(); res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); });
s.keepAliveTimeout = 30000;
s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + s.address().port })));
process.on('SIGTERM', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error('the bare server printed no URL')), 10_000);
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        clearTimeout(t);
        resolve(JSON.parse(out).url);
      }
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      process.off('exit', killOnExit);
    },
  };
}

async function bareFloor({ concurrency, seconds }) {
  const server = await startBareServer();
  const c = client(server.url, concurrency + 8);
  try {
    await getLoad(c, { concurrency, seconds: 1, path: '/' });
    return await getLoad(c, { concurrency, seconds, path: '/' });
  } finally {
    c.close();
    await server.stop();
  }
}

/**
 * The service without HTTP: claimNextTask + submitAnnotation from dist/, called
 * in-process one pair after the other (the server runs them one at a time too),
 * users authenticated once, on a fresh copy of the template. Its pairs/s are
 * the ceiling any HTTP server in front of this code could reach on one thread.
 */
async function serviceFloor({ template, tokens, seconds, warmup }) {
  const pino = (await import('pino')).default;
  const { loadConfig } = await dist('config/index.js');
  const { buildDeps } = await dist('deps.js');
  const { authenticate } = await dist('modules/users/index.js');
  const { claimNextTask, submitAnnotation } = await dist('modules/queue/index.js');
  const db = freshCopy(template, 'annotate-service.db');
  const deps = buildDeps(loadConfig({}, { dbPath: db, tmpDir: join(OUT, 'tmp'), logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  try {
    const users = tokens.map((t) => authenticate(deps, t));
    const claimMs = [];
    const submitMs = [];
    const doneAt = [];
    const loop = (secs, record) => {
      const t0 = performance.now();
      const deadline = t0 + secs * 1000;
      let pairs = 0;
      for (let u = 0; performance.now() < deadline; u = (u + 1) % users.length) {
        const s0 = performance.now();
        const task = claimNextTask(deps, 'P', users[u]);
        const s1 = performance.now();
        if (!task) break;
        submitAnnotation(deps, task.taskId, users[u], { label: LABELS[u % LABELS.length] }, `s${u}-${task.taskId}`);
        const s2 = performance.now();
        pairs++;
        if (record) {
          claimMs.push(s1 - s0);
          submitMs.push(s2 - s1);
          doneAt.push(s2 - t0);
        }
      }
      return { pairs, secs: (performance.now() - t0) / 1000 };
    };
    loop(warmup, false);
    const r = loop(seconds, true);
    return {
      pairsPerSec: r.pairs / r.secs, pairs: r.pairs, seconds: r.secs, ...thirds(doneAt, r.secs),
      claimMs: { p50: pct(claimMs, 50), p99: pct(claimMs, 99) }, submitMs: { p50: pct(submitMs, 50), p99: pct(submitMs, 99) },
    };
  } finally {
    await deps.close();
    freshDb(db);
  }
}

/** One run: fresh database, server, warm-up, /health floor, then the claim/submit load. */
async function oneRun({ template, tokens, duration, warmup, nodeArgs = [], name = 'annotate.db', seed, withHealth = true }) {
  const db = freshCopy(template, name);
  const server = await startServer(db, nodeArgs);
  const c = client(server.url, tokens.length + 8);
  try {
    // warm-up: the HTTP stack and a few claims per annotator (JIT, statement cache, first refills)
    if (withHealth) await getLoad(c, { concurrency: tokens.length, seconds: warmup });
    const w = await annotateLoad(c, tokens, { seconds: warmup, seed });
    if (w.problems.length) throw new Error(`warm-up: ${w.problems.slice(0, 3).join('; ')}`);
    const health = withHealth ? await getLoad(c, { concurrency: tokens.length, seconds: duration }) : { errors: 0 };
    const ann = await annotateLoad(c, tokens, { seconds: duration, seed });
    if (ann.problems.length) throw new Error(`${ann.problems.length} failures, e.g. ${ann.problems.slice(0, 3).join('; ')}`);
    if (health.errors) throw new Error(`/health: ${health.errors} non-200`);
    const peak = server.peakRssKiB();
    c.close();
    await server.stop();
    const check = checkDb(db, w.pairs + ann.pairs);
    return { health, annotate: ann, warmupPairs: w.pairs, serverPeakRssKiB: peak, db, ...check };
  } finally {
    c.close();
    await server.stop();
  }
}

export async function runAnnotateBench({ items = 20_000, annotators = 200, duration = 15, warmup = 2, runs = 3, floorSeconds = 5 } = {}) {
  const { template, tokens } = await prepareAnnotateDb({ items, annotators });
  const results = [];
  for (let i = 0; i < runs; i++) {
    const load1Before = loadavg()[0];
    const r = await oneRun({ template, tokens, duration, warmup, seed: i + 1 });
    r.bare = await bareFloor({ concurrency: annotators, seconds: floorSeconds });
    r.service = await serviceFloor({ template, tokens, seconds: floorSeconds, warmup: 1 });
    r.loadAvg1 = [load1Before, loadavg()[0]];
    results.push(r);
    const a = r.annotate;
    log(`annotate: run ${i + 1}/${runs}: ${fmt.int(a.pairsPerSec)} pairs/s over ${a.seconds.toFixed(1)} s${a.exhausted ? ' (queue empty)' : ''} ` +
      `(first third ${fmt.int(a.firstThirdPerSec)}, last ${fmt.int(a.lastThirdPerSec)}), claim p50 ${fmt.ms(a.claim.p50)} p99 ${fmt.ms(a.claim.p99)}, ` +
      `submit p50 ${fmt.ms(a.submit.p50)} p99 ${fmt.ms(a.submit.p99)}; /health ${fmt.int(r.health.reqPerSec)} req/s p99 ${fmt.ms(r.health.p99)}; ` +
      `bare node:http ${fmt.int(r.bare.reqPerSec)} req/s p99 ${fmt.ms(r.bare.p99)}; service alone ${fmt.int(r.service.pairsPerSec)} pairs/s; server peak RSS ${fmt.mib(r.serverPeakRssKiB)}; load average ${r.loadAvg1.map((l) => l.toFixed(1)).join(' → ')}`);
  }
  const med = (f) => median(results.map(f));
  const get = (k) => ({ reqPerSec: med((r) => r[k].reqPerSec), p50: med((r) => r[k].p50), p99: med((r) => r[k].p99) });
  const H = get('health');
  const B = get('bare');
  const S = {
    pairsPerSec: med((r) => r.service.pairsPerSec), firstThirdPerSec: med((r) => r.service.firstThirdPerSec), lastThirdPerSec: med((r) => r.service.lastThirdPerSec),
    claimMs: { p50: med((r) => r.service.claimMs.p50), p99: med((r) => r.service.claimMs.p99) }, submitMs: { p50: med((r) => r.service.submitMs.p50), p99: med((r) => r.service.submitMs.p99) },
  };
  const A = {
    pairsPerSec: med((r) => r.annotate.pairsPerSec),
    firstThirdPerSec: med((r) => r.annotate.firstThirdPerSec),
    lastThirdPerSec: med((r) => r.annotate.lastThirdPerSec),
    seconds: med((r) => r.annotate.seconds),
    claim: { p50: med((r) => r.annotate.claim.p50), p90: med((r) => r.annotate.claim.p90), p99: med((r) => r.annotate.claim.p99) },
    submit: { p50: med((r) => r.annotate.submit.p50), p90: med((r) => r.annotate.submit.p90), p99: med((r) => r.annotate.submit.p99) },
  };
  return {
    machine: machine(),
    items, annotators, duration, warmup, runs, floorSeconds,
    health: H,
    bare: B,
    service: S,
    annotate: A,
    serverPeakRssKiB: Math.max(...results.map((r) => r.serverPeakRssKiB ?? 0)) || null,
    ratio: { toHealth: (2 * A.pairsPerSec) / H.reqPerSec, toBare: (2 * A.pairsPerSec) / B.reqPerSec, toService: A.pairsPerSec / S.pairsPerSec },
    target: { pairsPerSec: 5000, p99Ms: 50 },
    met: A.pairsPerSec >= 5000 && A.claim.p99 < 50 && A.submit.p99 < 50,
    loadAvg1: results.map((r) => r.loadAvg1),
    runsDetail: results.map((r) => ({ loadAvg1: r.loadAvg1, health: r.health, bare: r.bare, service: r.service, annotate: r.annotate, warmupPairs: r.warmupPairs, serverPeakRssKiB: r.serverPeakRssKiB, annotations: r.annotations })),
  };
}

export function annotateTable(res, { md = false } = {}) {
  const a = res.annotate;
  const h = res.health;
  const b = res.bare;
  const s = res.service;
  return table(
    [
      ['load (200 concurrent users, keep-alive)', 'rate', 'p50', 'p90', 'p99'],
      ['claim GET /api/v1/projects/P/tasks/next', `${fmt.int(a.pairsPerSec)} pairs/s`, fmt.ms(a.claim.p50), fmt.ms(a.claim.p90), fmt.ms(a.claim.p99)],
      ['submit POST /api/v1/tasks/ID/annotation', `= ${fmt.int(2 * a.pairsPerSec)} req/s`, fmt.ms(a.submit.p50), fmt.ms(a.submit.p90), fmt.ms(a.submit.p99)],
      ['  pairs/s in the first / last third', `${fmt.int(a.firstThirdPerSec)} / ${fmt.int(a.lastThirdPerSec)}`, '', '', ''],
      ['GET /health, same server (framework floor)', `${fmt.int(h.reqPerSec)} req/s`, fmt.ms(h.p50), '', fmt.ms(h.p99)],
      ['bare node:http, no framework, no db', `${fmt.int(b.reqPerSec)} req/s`, fmt.ms(b.p50), '', fmt.ms(b.p99)],
      ['service alone, in-process, no HTTP', `${fmt.int(s.pairsPerSec)} pairs/s`, `claim ${fmt.ms(s.claimMs.p50)}`, '', `claim ${fmt.ms(s.claimMs.p99)}`],
      ['  first / last third; submit p50 / p99', `${fmt.int(s.firstThirdPerSec)} / ${fmt.int(s.lastThirdPerSec)}`, `submit ${fmt.ms(s.submitMs.p50)}`, '', `submit ${fmt.ms(s.submitMs.p99)}`],
      ['ratio claim+submit req/s to /health, to bare', `${res.ratio.toHealth.toFixed(2)}x, ${res.ratio.toBare.toFixed(2)}x`, '', '', ''],
      ['ratio HTTP pairs/s to service alone', `${res.ratio.toService.toFixed(2)}x`, '', '', ''],
    ],
    { md },
  );
}

export function annotateVerdict(res) {
  const a = res.annotate;
  return [
    `target ≥ 5,000 pairs/s with p99 < 50 ms for both: ${res.met ? 'met' : 'MISSED'} (${fmt.int(a.pairsPerSec)} pairs/s, claim p99 ${fmt.ms(a.claim.p99)}, submit p99 ${fmt.ms(a.submit.p99)})`,
    `server peak RSS ${fmt.mib(res.serverPeakRssKiB)}; measured window ${a.seconds.toFixed(1)} s (median) per run; floors ${res.floorSeconds} s each`,
    `1-minute load average before → after each run: ${res.loadAvg1.map((l) => l.map((x) => x.toFixed(1)).join(' → ')).join(', ')} (${res.machine.nproc} CPUs)`,
  ];
}

/** The server under --cpu-prof during one claim/submit run; top functions by self and total time. */
export async function profileAnnotate({ items = 20_000, annotators = 200, duration = 8, warmup = 1, top = 25 } = {}) {
  const { template, tokens } = await prepareAnnotateDb({ items, annotators });
  const { summarizeProfile } = await import('./cpuprofile-top.js');
  const dir = join(OUT, 'prof-annotate');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const r = await oneRun({ template, tokens, duration, warmup, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir], name: 'profile-annotate.db', seed: 9, withHealth: false });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  return { run: r.annotate, file: join(dir, file), ...summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), top) };
}

/**
 * EXPLAIN QUERY PLAN of the claim: the SQL is captured from dist's claimSlot (so
 * it cannot drift from the code) inside a transaction that is rolled back, on a
 * copy of a database a run left behind; with timings of the statement alone.
 */
export async function claimPlan(dbFile) {
  const { openDb } = await dist('db/index.js');
  const { claimSlot, liveTaskOf, doneCount, nextUnqueuedItems } = await dist('modules/queue/queue.repo.js');
  const copy = freshCopy(dbFile, 'annotate-plan.db');
  const db = openDb(copy, { migrate: false });
  const sqlite = db.$client;
  const captured = [];
  const realPrepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = (sql) => {
    captured.push(sql);
    return realPrepare(sql);
  };
  const project = sqlite.prepare(`SELECT id FROM projects WHERE name = 'P'`).get().id;
  const annotator = sqlite.prepare(`SELECT id FROM users WHERE name = 'ann-0'`).get().id;
  const now = Date.now();
  const statements = {
    claimSlot: () => claimSlot(db, project, annotator, now, now + 600_000),
    liveTaskOf: () => liveTaskOf(db, project, annotator, now),
    doneCount: () => doneCount(db, project, annotator),
    nextUnqueuedItems: () => nextUnqueuedItems(db, project, 500),
  };
  const counts = {
    slots: sqlite.prepare('SELECT count(*) AS n FROM queue_slots').get().n,
    openSlots: sqlite.prepare(`SELECT count(*) AS n FROM queue_slots WHERE status = 'open'`).get().n,
    tasks: sqlite.prepare('SELECT count(*) AS n FROM tasks').get().n,
    annotations: sqlite.prepare('SELECT count(*) AS n FROM annotations').get().n,
  };
  const out = [];
  for (const [name, fn] of Object.entries(statements)) {
    captured.length = 0;
    const ms = [];
    for (let i = 0; i < 30; i++) {
      sqlite.exec('BEGIN');
      const t0 = performance.now();
      fn();
      ms.push(performance.now() - t0);
      sqlite.exec('ROLLBACK');
    }
    const sql = captured.find((s) => !/^\s*(BEGIN|ROLLBACK)/i.test(s));
    const plan = sql ? realPrepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(name === 'claimSlot' ? [{ project, annotator, now, expires: now + 600_000 }] : name === 'nextUnqueuedItems' ? [project, 500] : name === 'doneCount' ? [project, annotator, 0] : [project, annotator, now])).map((r) => r.detail) : [];
    out.push({ name, medianMs: median(ms.slice(5)), sql: sql?.replace(/\s+/g, ' ').trim(), plan });
  }
  sqlite.close();
  freshDb(copy);
  return { counts, statements: out };
}

if (isMain(import.meta.url)) {
  const f = flags();
  const opts = {
    ...(f.items ? { items: Number(f.items) } : {}),
    ...(f.annotators ? { annotators: Number(f.annotators) } : {}),
    ...(f.duration ? { duration: Number(f.duration) } : {}),
    ...(f.warmup ? { warmup: Number(f.warmup) } : {}),
    ...(f.runs ? { runs: Number(f.runs) } : {}),
  };
  const watchdog = setTimeout(() => {
    log('annotate: gave up after 10 minutes');
    process.exit(1);
  }, 10 * 60_000);
  watchdog.unref();
  const res = await runAnnotateBench(opts);
  writeFileSync(join(OUT, 'annotate-results.json'), JSON.stringify(res, null, 2));
  console.log(
    `machine: ${res.machine.nproc} CPUs, node ${res.machine.node}; ${fmt.int(res.items)} items (overlap 1), ${res.annotators} concurrent annotators, ` +
      `≤ ${res.duration} s per run after ${res.warmup} s + ${res.warmup} s warm-up, medians of ${res.runs} runs`,
  );
  console.log(annotateTable(res));
  for (const l of annotateVerdict(res)) console.log(`  ${l}`);
  if (f.plan) {
    const p = await claimPlan(join(OUT, 'annotate.db'));
    writeFileSync(join(OUT, 'annotate-plan.json'), JSON.stringify(p, null, 2));
    console.log(`\nqueue statements on bench/out/annotate.db after the last run (${JSON.stringify(p.counts)}):`);
    for (const s of p.statements) console.log(`- ${s.name}: ${fmt.ms(s.medianMs)} alone\n  ${s.sql}\n  plan: ${s.plan.join(' | ')}`);
  }
  if (f.profile) {
    const { profileTable } = await import('./cpuprofile-top.js');
    const p = await profileAnnotate({ ...opts, runs: undefined, duration: Math.min(opts.duration ?? 8, 8), warmup: 1 });
    writeFileSync(join(OUT, 'profile-annotate.json'), JSON.stringify(p, null, 2));
    console.log(`\nserver CPU profile (${fmt.int(p.run.pairsPerSec)} pairs/s under the profiler; ${p.totalMs.toFixed(0)} ms sampled, idle ${p.idleMs.toFixed(0)} ms; ${p.file})`);
    console.log('self time:');
    console.log(profileTable(p.self));
    console.log('\ntotal (inclusive) time:');
    console.log(profileTable(p.total));
  }
}
