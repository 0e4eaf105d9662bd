// Annotation queue under load (issue 5): `quorum serve` on 127.0.0.1 with a project
// of 40,000 items (overlap 1) and 200 annotators, each with its own token; 200
// concurrent simulated annotators on keep-alive connections (node:http Agent), in
// two modes, each on its own server and fresh database, interleaved in the same run
// (alternating slices of the window, so that the machine's load hits both alike):
//   two requests per pair: claim (GET /api/v1/projects/P/tasks/next) → submit
//     (POST /api/v1/tasks/ID/annotation with an Idempotency-Key);
//   one request per pair:  POST /api/v1/tasks/ID/annotation?next=true, whose answer
//     carries the next task (submit and claim in one write transaction); each
//     annotator claims once with GET …/tasks/next before its loop.
// Floors in the same run: GET /health from the same client at the same concurrency,
// a bare node:http server, and the service alone in-process (claimNextTask +
// submitAnnotation, and submitAndClaimNext).
//
//   node bench/annotate.js [--items 200000] [--annotators 200] [--duration 15] [--warmup 2] [--warmup-load 8] [--runs 3]
//                          [--modes two,one] [--segments 3] [--client raw|node] [--profile [--profile-mode one|two]] [--plan]
// --client:   raw sockets (default: least client CPU on the shared cores) or node:http with a keep-alive Agent.
// --modes:    which loads to measure (default both).
// --segments: slices per mode of the --duration window (default 3, alternating between the modes).
// --profile:  one more run with the server under `node --cpu-prof` (the one-request mode unless
//             --profile-mode two), top functions by self/total time.
// --plan:     EXPLAIN QUERY PLAN and timings of the claim statement (captured from dist's claimSlot)
//             on the bench database after a run.
//
// Every load starts from a fresh copy of a template database (the queue is used up
// as it is measured), and stops at the deadline or at the first 204 / `next: null`
// (queue empty). After each load the database is checked: one annotation and one
// done task per pair, no item labelled twice.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { loadavg } from 'node:os';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { LABELS, OUT, ROOT, ensureOut, flags, fmt, freshDb, isMain, log, machine, median, table } from './lib.js';
import { startServer } from './listing.js';

const dist = (p) => import(join(ROOT, 'dist', 'src', p));
const TEMPLATE_VERSION = 2;
/**
 * Items in the template: enough for the warm-up and the window of both modes at
 * ~6,000 pairs/s (20,000, then 40,000, ran empty once the writes were group-committed
 * on the writer thread). The refill continues where it stopped, so the claim's cost
 * does not grow with how many items are queued.
 */
const ITEMS = 200_000;

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
export async function prepareAnnotateDb({ items = ITEMS, annotators = 200 } = {}) {
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

/**
 * One keep-alive HTTP client for all simulated users. 'raw' (the default): plain
 * sockets, requests written as one string, responses parsed just enough (status,
 * Content-Length or chunked body): ~2x less client CPU per request than node:http,
 * and the client shares the 2 cores with the server it measures. 'node': node:http
 * with a keep-alive Agent (--client node), as the earlier tables were measured.
 */
function client(baseUrl, sockets) {
  return CLIENT === 'node' ? nodeClient(baseUrl, sockets) : rawClient(baseUrl, sockets);
}

let CLIENT = 'raw';

function nodeClient(baseUrl, sockets) {
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

/** Parses one HTTP/1.1 response from the front of `buf`: { status, body, rest } or null when incomplete. */
function parseResponse(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = buf.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const lower = head.toLowerCase();
  const cl = /\r\ncontent-length: *(\d+)/.exec(lower);
  let pos = end + 4;
  if (cl) {
    const n = Number(cl[1]);
    if (buf.length < pos + n) return null;
    return { status, body: buf.toString('utf8', pos, pos + n), rest: buf.subarray(pos + n) };
  }
  if (!lower.includes('\r\ntransfer-encoding: chunked')) return { status, body: '', rest: buf.subarray(pos) };
  const parts = [];
  for (;;) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) return null;
    const size = parseInt(buf.toString('latin1', pos, eol), 16);
    if (buf.length < eol + 2 + size + 2) return null;
    if (size === 0) return { status, body: parts.join(''), rest: buf.subarray(eol + 4) };
    parts.push(buf.toString('utf8', eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
}

function rawClient(baseUrl, sockets) {
  const url = new URL(baseUrl);
  const idle = [];
  const all = new Set();
  let open = 0;
  const waiting = [];
  function connection() {
    const socket = net.connect(Number(url.port), url.hostname);
    socket.setNoDelay(true);
    const conn = { socket, buf: Buffer.alloc(0), pending: null };
    socket.on('data', (d) => {
      conn.buf = conn.buf.length ? Buffer.concat([conn.buf, d]) : d;
      const r = conn.pending && parseResponse(conn.buf);
      if (!r) return;
      conn.buf = r.rest;
      const p = conn.pending;
      conn.pending = null;
      release(conn);
      p.resolve({ status: r.status, body: r.body });
    });
    // the server closes idle keep-alive connections (5 s): forget them, the next request opens another
    const fail = (e) => {
      if (!all.delete(conn)) return;
      open--;
      const i = idle.indexOf(conn);
      if (i >= 0) idle.splice(i, 1);
      conn.pending?.reject(e instanceof Error ? e : new Error('connection closed'));
      conn.pending = null;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    all.add(conn);
    open++;
    return conn;
  }
  function release(conn) {
    const next = waiting.shift();
    if (next) next(conn);
    else idle.push(conn);
  }
  async function acquire() {
    const c = idle.pop();
    if (c) return c;
    if (open < sockets) return connection();
    return new Promise((resolve) => waiting.push(resolve));
  }
  async function request(method, path, headers, body) {
    const conn = await acquire();
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${url.host}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    if (body !== undefined && headers['content-length'] === undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
    return new Promise((resolve, reject) => {
      conn.pending = { resolve, reject };
      conn.socket.write(head + '\r\n' + (body ?? ''));
    });
  }
  return { request, close: () => { for (const c of all) c.socket.destroy(); } };
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

const latencies = (xs) => ({ p50: pct(xs, 50), p90: pct(xs, 90), p99: pct(xs, 99), max: pct(xs, 100) });

/**
 * One loop per token until the deadline, or until the queue is empty for anyone
 * (a claim answers 204 or a submit `next: null`: stop everyone, the tail would not be load).
 * mode 'two': claim → submit, two requests per pair. mode 'one': one claim per
 * annotator first (not timed), then submit?next=true, whose answer is the next task.
 */
async function annotateLoad(c, tokens, { seconds, seed = 1, mode = 'two', held = [] }) {
  const claimLat = [];
  const submitLat = [];
  const pairLat = [];
  const problems = [];
  const doneAt = [];
  let pairs = 0;
  let exhausted = false;
  let stop = false;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const claimOnce = async (auth) => {
    const claim = await c.request('GET', '/api/v1/projects/P/tasks/next', { authorization: auth });
    if (claim.status === 204) {
      exhausted = true;
      stop = true;
      return null;
    }
    if (claim.status !== 200) {
      problems.push(`claim ${claim.status} ${claim.body.slice(0, 200)}`);
      stop = true;
      return null;
    }
    return JSON.parse(claim.body);
  };
  const submitOnce = (auth, u, n, taskId, next) => {
    const body = `{"label":"${LABELS[(u + n + seed) % LABELS.length]}"}`;
    return c.request('POST', `/api/v1/tasks/${taskId}/annotation${next ? '?next=true' : ''}`, {
      authorization: auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'idempotency-key': `u${u}-t${taskId}`,
    }, body);
  };
  await Promise.all(tokens.map(async (token, u) => {
    const auth = `Bearer ${token}`;
    let n = 0;
    // mode 'one': the task this annotator was left holding by the previous load on this server, else a claim
    let task = mode === 'one' ? (held[u] ?? (await claimOnce(auth))) : null;
    held[u] = null;
    while (!stop && performance.now() < deadline) {
      const s0 = performance.now();
      if (mode === 'two') {
        task = await claimOnce(auth);
        if (!task) break;
        claimLat.push(performance.now() - s0);
      }
      const s2 = performance.now();
      const sub = await submitOnce(auth, u, n, task.taskId, mode === 'one');
      const s3 = performance.now();
      if (sub.status !== 200) {
        problems.push(`submit ${sub.status} ${sub.body.slice(0, 200)}`);
        stop = true;
        break;
      }
      submitLat.push(s3 - s2);
      pairLat.push(s3 - s0);
      doneAt.push(s3 - t0);
      pairs++;
      n++;
      if (mode === 'one') {
        task = JSON.parse(sub.body).next;
        if (task === undefined) {
          problems.push(`submit?next=true answered without next: ${sub.body.slice(0, 200)}`);
          stop = true;
          break;
        }
        if (task === null) {
          exhausted = true;
          stop = true;
          break;
        }
      }
    }
    if (mode === 'one') held[u] = task;
  }));
  const secs = (performance.now() - t0) / 1000;
  const out = {
    mode, pairsPerSec: pairs / secs, reqPerSec: ((mode === 'two' ? 2 : 1) * pairs) / secs, pairs, seconds: secs, exhausted, problems, ...thirds(doneAt, secs),
    claim: latencies(claimLat), submit: latencies(submitLat), pair: latencies(pairLat),
  };
  // the samples, for merging segments (not written to the results file)
  Object.defineProperty(out, 'raw', { value: { claimLat, submitLat, pairLat }, enumerable: false });
  return out;
}

/** One mode's segments of an interleaved run as one load: rates over their summed time, latencies over all samples. */
function mergeLoads(mode, loads) {
  const pairs = loads.reduce((n, l) => n + l.pairs, 0);
  const seconds = loads.reduce((n, l) => n + l.seconds, 0);
  const all = (k) => loads.flatMap((l) => l.raw[k]);
  const sum = (k) => loads.reduce((n, l) => (n === null || l.cpu[k] === null ? null : n + l.cpu[k]), 0);
  const serverMs = sum('serverMs');
  const clientMs = sum('clientMs');
  return {
    mode, pairsPerSec: pairs / seconds, reqPerSec: ((mode === 'two' ? 2 : 1) * pairs) / seconds, pairs, seconds, segments: loads.length,
    exhausted: loads.some((l) => l.exhausted),
    // the first and the last segment: does the queue slow down as it is worked?
    firstThirdPerSec: loads[0].pairsPerSec, lastThirdPerSec: loads[loads.length - 1].pairsPerSec,
    segmentPairsPerSec: loads.map((l) => l.pairsPerSec),
    claim: latencies(all('claimLat')), submit: latencies(all('submitLat')), pair: latencies(all('pairLat')),
    cpu: { serverMs, clientMs, serverMsPerUnit: serverMs === null ? null : serverMs / pairs, clientMsPerUnit: clientMs / pairs },
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
import net from 'node:net';
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
 * The service without HTTP, in-process on a fresh copy of the template, users
 * authenticated once, one call after the other (the server runs them one at a
 * time too). mode 'two': claimNextTask + submitAnnotation; mode 'one':
 * submitAndClaimNext (each user's first task claimed in the warm-up). Its pairs/s
 * are the ceiling any HTTP server in front of this code could reach on one thread.
 */
async function serviceFloor({ template, tokens, seconds, warmup, mode = 'two', batch = 1 }) {
  const pino = (await import('pino')).default;
  const { loadConfig } = await dist('config/index.js');
  const { buildDeps } = await dist('deps.js');
  const { authenticate } = await dist('modules/users/index.js');
  const { claimNextTask, submitAnnotation } = await dist('modules/queue/index.js');
  const { submitAndClaimNext } = await dist('modules/queue/queue.service.js');
  const { commitTogether } = await dist('db/group-commit.js');
  const db = freshCopy(template, `annotate-service-${mode}-${batch}.db`);
  const deps = buildDeps(loadConfig({}, { dbPath: db, tmpDir: join(OUT, 'tmp'), logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  try {
    const users = tokens.map((t) => authenticate(deps, t));
    const held = new Array(users.length).fill(null);
    const claimMs = [];
    const submitMs = [];
    const doneAt = [];
    const loop = (secs, record) => {
      const t0 = performance.now();
      const deadline = t0 + secs * 1000;
      let pairs = 0;
      if (mode === 'one' && batch > 1) {
        // as the server's writer commits: `batch` submits (one per annotator, in turn) in one transaction
        let u = 0;
        while (performance.now() < deadline) {
          const s0 = performance.now();
          const writes = [];
          for (let k = 0; k < batch; k++, u = (u + 1) % users.length) {
            const v = u;
            held[v] ??= claimNextTask(deps, 'P', users[v]);
            if (!held[v]) break;
            writes.push(() => (held[v] = submitAndClaimNext(deps, held[v].taskId, users[v], { label: LABELS[v % LABELS.length] }, `s${v}-${held[v].taskId}`).next));
          }
          const outcomes = commitTogether(deps.db, writes);
          const s1 = performance.now();
          pairs += outcomes.filter((o) => o.ok).length;
          if (record) {
            submitMs.push(s1 - s0);
            for (const o of outcomes) if (o.ok) doneAt.push(s1 - t0);
          }
          if (writes.length < batch || outcomes.some((o) => !o.ok || o.value === null)) break;
        }
        return { pairs, secs: (performance.now() - t0) / 1000 };
      }
      for (let u = 0; performance.now() < deadline; u = (u + 1) % users.length) {
        const label = { label: LABELS[u % LABELS.length] };
        if (mode === 'one') {
          held[u] ??= claimNextTask(deps, 'P', users[u]);
          if (!held[u]) break;
          const s0 = performance.now();
          const r = submitAndClaimNext(deps, held[u].taskId, users[u], label, `s${u}-${held[u].taskId}`);
          const s1 = performance.now();
          held[u] = r.next;
          pairs++;
          if (record) {
            submitMs.push(s1 - s0);
            doneAt.push(s1 - t0);
          }
          if (!r.next) break;
          continue;
        }
        const s0 = performance.now();
        const task = claimNextTask(deps, 'P', users[u]);
        const s1 = performance.now();
        if (!task) break;
        submitAnnotation(deps, task.taskId, users[u], label, `s${u}-${task.taskId}`);
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
    const c0 = process.cpuUsage();
    const r = loop(seconds, true);
    const cpu = process.cpuUsage(c0);
    return {
      mode, pairsPerSec: r.pairs / r.secs, pairs: r.pairs, seconds: r.secs, ...thirds(doneAt, r.secs), cpuMsPerPair: (cpu.user + cpu.system) / 1000 / r.pairs,
      claimMs: { p50: pct(claimMs, 50), p99: pct(claimMs, 99) }, submitMs: { p50: pct(submitMs, 50), p99: pct(submitMs, 99) },
    };
  } finally {
    await deps.close();
    freshDb(db);
  }
}

/** CPU time (user + system) of a process so far, in ms, from /proc; null where /proc is missing. */
function procCpuMs(pid) {
  try {
    // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}
const CLK_TCK = 100; // USER_HZ on Linux

/** Runs `load` and adds the CPU the server and this client (the bench process) spent per unit of work. */
async function withCpu(pid, load, units) {
  const s0 = procCpuMs(pid);
  const c0 = process.cpuUsage();
  const r = await load();
  const s1 = procCpuMs(pid);
  const c = process.cpuUsage(c0);
  const n = units(r);
  r.cpu = {
    serverMs: s0 === null || s1 === null ? null : s1 - s0,
    clientMs: (c.user + c.system) / 1000,
    serverMsPerUnit: s0 === null || s1 === null || !n ? null : (s1 - s0) / n,
    clientMsPerUnit: n ? (c.user + c.system) / 1000 / n : null,
  };
  return r;
}

/** One load: fresh database, server, warm-up, optionally the /health floor, then the claim/submit load in `mode`. */
async function oneRun({ template, tokens, duration, warmup, warmupLoad = WARMUP_LOAD, nodeArgs = [], name = 'annotate.db', seed, withHealth = true, mode = 'two' }) {
  const db = freshCopy(template, name);
  const server = await startServer(db, nodeArgs);
  const c = client(server.url, tokens.length + 8);
  try {
    // warm-up, the same for every load: the HTTP stack, then a few claims per annotator (JIT, statement cache, first refills)
    await getLoad(c, { concurrency: tokens.length, seconds: warmup });
    const held = [];
    const w = await annotateLoad(c, tokens, { seconds: warmupLoad, seed, mode, held });
    if (w.problems.length) throw new Error(`warm-up (${mode}): ${w.problems.slice(0, 3).join('; ')}`);
    if (w.exhausted) throw new Error(`warm-up (${mode}): the queue ran empty; use more --items`);
    const health = withHealth ? await withCpu(server.pid, () => getLoad(c, { concurrency: tokens.length, seconds: duration }), (r) => r.requests) : null;
    const ann = await withCpu(server.pid, () => annotateLoad(c, tokens, { seconds: duration, seed, mode, held }), (r) => r.pairs);
    if (ann.problems.length) throw new Error(`${mode}: ${ann.problems.length} failures, e.g. ${ann.problems.slice(0, 3).join('; ')}`);
    if (health?.errors) throw new Error(`/health: ${health.errors} non-200`);
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

/**
 * Seconds of claim/submit load before a server is measured. A fresh server needs
 * 6–8 s of it on this machine to reach its steady rate (V8 compiling the request
 * path: ~4 ms of server CPU a pair in the first 2 s, ~0.9 ms in the next 2, ~0.5–0.6 ms
 * after 6 s), in both modes; 2 s measured a warming-up server.
 */
const WARMUP_LOAD = 8;
/** Submits per transaction in the grouped service floor: about what the server's writer commits at once under this load. */
const GROUP = 100;
const MODES = ['two', 'one'];
const DB_NAME = { two: 'annotate.db', one: 'annotate-one.db' };

/**
 * Every mode at once, interleaved: one server and fresh database per mode, each
 * warmed up the same way; /health measured on the first; then `segments`
 * alternating slices of duration/segments seconds per mode (two, one, one, two,
 * two, one…), so that a change in the machine's load during the run hits every
 * mode alike. Only one server is under load at a time.
 */
async function interleavedRun({ template, tokens, duration, warmup, warmupLoad, seed, modes, segments }) {
  const servers = {};
  try {
    for (const mode of modes) {
      const db = freshCopy(template, DB_NAME[mode]);
      const server = await startServer(db);
      const s = (servers[mode] = { db, server, c: client(server.url, tokens.length + 8), held: [] });
      await getLoad(s.c, { concurrency: tokens.length, seconds: warmup });
      const w = await annotateLoad(s.c, tokens, { seconds: warmupLoad, seed, mode, held: s.held });
      if (w.problems.length) throw new Error(`warm-up (${mode}): ${w.problems.slice(0, 3).join('; ')}`);
      if (w.exhausted) throw new Error(`warm-up (${mode}): the queue ran empty; use more --items`);
      s.warmupPairs = w.pairs;
    }
    const first = servers[modes[0]];
    const health = await withCpu(first.server.pid, () => getLoad(first.c, { concurrency: tokens.length, seconds: duration }), (r) => r.requests);
    if (health.errors) throw new Error(`/health: ${health.errors} non-200`);
    const segs = Object.fromEntries(modes.map((m) => [m, []]));
    for (let k = 0; k < segments; k++) {
      for (const mode of k % 2 ? [...modes].reverse() : modes) {
        if (segs[mode].some((l) => l.exhausted)) continue;
        const s = servers[mode];
        const r = await withCpu(s.server.pid, () => annotateLoad(s.c, tokens, { seconds: duration / segments, seed: seed + k, mode, held: s.held }), (x) => x.pairs);
        if (r.problems.length) throw new Error(`${mode}: ${r.problems.length} failures, e.g. ${r.problems.slice(0, 3).join('; ')}`);
        segs[mode].push(r);
      }
    }
    const http = {};
    for (const mode of modes) {
      const s = servers[mode];
      const merged = mergeLoads(mode, segs[mode]);
      merged.warmupPairs = s.warmupPairs;
      merged.serverPeakRssKiB = s.server.peakRssKiB();
      s.c.close();
      await s.server.stop();
      Object.assign(merged, checkDb(s.db, s.warmupPairs + merged.pairs));
      http[mode] = merged;
    }
    return { health, http };
  } finally {
    for (const s of Object.values(servers)) {
      s.c.close();
      await s.server.stop();
    }
  }
}

/**
 * `runs` runs; each measures every mode in `modes` interleaved (interleavedRun;
 * the order alternates from run to run), then the bare node:http floor and the
 * service alone in each mode.
 */
export async function runAnnotateBench({ items = ITEMS, annotators = 200, duration = 15, warmup = 2, warmupLoad = WARMUP_LOAD, runs = 3, floorSeconds = 5, modes = MODES, segments = 3 } = {}) {
  const { template, tokens } = await prepareAnnotateDb({ items, annotators });
  const results = [];
  for (let i = 0; i < runs; i++) {
    const load1Before = loadavg()[0];
    const order = i % 2 === 0 ? modes : [...modes].reverse();
    const x = await interleavedRun({ template, tokens, duration, warmup, warmupLoad, seed: i + 1, modes: order, segments });
    const r = { http: x.http, health: x.health, service: {} };
    r.bare = await bareFloor({ concurrency: annotators, seconds: floorSeconds });
    for (const mode of order) r.service[mode] = await serviceFloor({ template, tokens, seconds: floorSeconds, warmup: 2, mode });
    if (order.includes('one')) r.service.grouped = await serviceFloor({ template, tokens, seconds: floorSeconds, warmup: 2, mode: 'one', batch: GROUP });
    r.loadAvg1 = [load1Before, loadavg()[0]];
    results.push(r);
    const parts = order.map((mode) => {
      const a = r.http[mode];
      const lat = mode === 'two' ? `claim p50 ${fmt.ms(a.claim.p50)} p99 ${fmt.ms(a.claim.p99)}, submit p50 ${fmt.ms(a.submit.p50)} p99 ${fmt.ms(a.submit.p99)}` : `p50 ${fmt.ms(a.submit.p50)} p99 ${fmt.ms(a.submit.p99)}`;
      return `${mode === 'two' ? 'two requests' : 'one request'}: ${fmt.int(a.pairsPerSec)} pairs/s over ${a.seconds.toFixed(1)} s${a.exhausted ? ' (queue empty)' : ''} ` +
        `(segments ${a.segmentPairsPerSec.map((x) => fmt.int(x)).join(' / ')}), ${lat}; server CPU ${(a.cpu.serverMsPerUnit * 1000).toFixed(0)} µs/pair; service alone ${fmt.int(r.service[mode].pairsPerSec)} pairs/s`;
    });
    log(`annotate: run ${i + 1}/${runs}: ${parts.join('; ')}; /health ${fmt.int(r.health.reqPerSec)} req/s p99 ${fmt.ms(r.health.p99)}; ` +
      `bare node:http ${fmt.int(r.bare.reqPerSec)} req/s p99 ${fmt.ms(r.bare.p99)}; load average ${r.loadAvg1.map((l) => l.toFixed(1)).join(' → ')}`);
  }
  const med = (f) => median(results.map(f));
  const get = (k) => ({ reqPerSec: med((r) => r[k].reqPerSec), p50: med((r) => r[k].p50), p99: med((r) => r[k].p99) });
  const lat = (mode, k) => ({ p50: med((r) => r.http[mode][k].p50), p90: med((r) => r.http[mode][k].p90), p99: med((r) => r.http[mode][k].p99) });
  const H = { ...get('health'), serverCpuMsPerReq: med((r) => r.health.cpu.serverMsPerUnit), clientCpuMsPerReq: med((r) => r.health.cpu.clientMsPerUnit) };
  const B = get('bare');
  const service = {};
  const http = {};
  for (const mode of modes.includes('one') ? [...modes, 'grouped'] : modes) {
    service[mode] = {
      pairsPerSec: med((r) => r.service[mode].pairsPerSec), firstThirdPerSec: med((r) => r.service[mode].firstThirdPerSec), lastThirdPerSec: med((r) => r.service[mode].lastThirdPerSec),
      claimMs: { p50: med((r) => r.service[mode].claimMs.p50), p99: med((r) => r.service[mode].claimMs.p99) },
      submitMs: { p50: med((r) => r.service[mode].submitMs.p50), p99: med((r) => r.service[mode].submitMs.p99) },
      cpuMsPerPair: med((r) => r.service[mode].cpuMsPerPair),
    };
    if (mode === 'grouped') continue;
    http[mode] = {
      pairsPerSec: med((r) => r.http[mode].pairsPerSec),
      reqPerSec: med((r) => r.http[mode].reqPerSec),
      firstThirdPerSec: med((r) => r.http[mode].firstThirdPerSec),
      lastThirdPerSec: med((r) => r.http[mode].lastThirdPerSec),
      seconds: med((r) => r.http[mode].seconds),
      exhausted: results.some((r) => r.http[mode].exhausted),
      claim: lat(mode, 'claim'), submit: lat(mode, 'submit'), pair: lat(mode, 'pair'),
      // CPU per pair (not wall time: robust to a loaded machine): the server process, and this client
      serverCpuMsPerPair: med((r) => r.http[mode].cpu.serverMsPerUnit),
      clientCpuMsPerPair: med((r) => r.http[mode].cpu.clientMsPerUnit),
      ratio: { toHealth: med((r) => r.http[mode].reqPerSec) / H.reqPerSec, toBare: med((r) => r.http[mode].reqPerSec) / B.reqPerSec, toService: med((r) => r.http[mode].pairsPerSec) / service[mode].pairsPerSec },
      // the target: ≥ 5,000 pairs/s, every request of the pair with p99 < 50 ms
      met: med((r) => r.http[mode].pairsPerSec) >= 5000 && (mode === 'one' ? lat(mode, 'submit').p99 < 50 : lat(mode, 'claim').p99 < 50 && lat(mode, 'submit').p99 < 50),
    };
  }
  return {
    machine: machine(),
    items, annotators, duration, warmup, warmupLoad, runs, floorSeconds, modes, segments,
    health: H,
    bare: B,
    http,
    service,
    // the two-request load under its earlier names (bench/run.js, older readers)
    ...(http.two ? { annotate: http.two, ratio: http.two.ratio } : {}),
    serverPeakRssKiB: Math.max(...results.flatMap((r) => Object.values(r.http).map((a) => a.serverPeakRssKiB ?? 0))) || null,
    target: { pairsPerSec: 5000, p99Ms: 50 },
    met: Object.values(http).some((a) => a.met),
    loadAvg1: results.map((r) => r.loadAvg1),
    runsDetail: results,
  };
}

export function annotateTable(res, { md = false } = {}) {
  const h = res.health;
  const b = res.bare;
  const rows = [['load (200 concurrent users, keep-alive)', 'rate', 'p50', 'p90', 'p99']];
  const two = res.http.two;
  const one = res.http.one;
  if (two) {
    rows.push(
      ['two requests: claim GET /api/v1/projects/P/tasks/next', `${fmt.int(two.pairsPerSec)} pairs/s`, fmt.ms(two.claim.p50), fmt.ms(two.claim.p90), fmt.ms(two.claim.p99)],
      ['  then submit POST /api/v1/tasks/ID/annotation', `= ${fmt.int(two.reqPerSec)} req/s`, fmt.ms(two.submit.p50), fmt.ms(two.submit.p90), fmt.ms(two.submit.p99)],
      ['  pair (claim + submit); first / last segment', `${fmt.int(two.firstThirdPerSec)} / ${fmt.int(two.lastThirdPerSec)}`, fmt.ms(two.pair.p50), fmt.ms(two.pair.p90), fmt.ms(two.pair.p99)],
    );
  }
  if (one) {
    rows.push(
      ['one request: POST /api/v1/tasks/ID/annotation?next=true', `${fmt.int(one.pairsPerSec)} pairs/s`, fmt.ms(one.submit.p50), fmt.ms(one.submit.p90), fmt.ms(one.submit.p99)],
      ['  (= req/s); first / last segment', `= ${fmt.int(one.reqPerSec)} req/s; ${fmt.int(one.firstThirdPerSec)} / ${fmt.int(one.lastThirdPerSec)}`, '', '', ''],
    );
  }
  rows.push(
    ['GET /health, same server (framework floor)', `${fmt.int(h.reqPerSec)} req/s`, fmt.ms(h.p50), '', fmt.ms(h.p99)],
    ['bare node:http, no framework, no db', `${fmt.int(b.reqPerSec)} req/s`, fmt.ms(b.p50), '', fmt.ms(b.p99)],
  );
  const st = res.service.two;
  const so = res.service.one;
  if (st) {
    rows.push(
      ['service alone: claimNextTask + submitAnnotation', `${fmt.int(st.pairsPerSec)} pairs/s`, `claim ${fmt.ms(st.claimMs.p50)}`, '', `claim ${fmt.ms(st.claimMs.p99)}`],
      ['  first / last third; submit p50 / p99', `${fmt.int(st.firstThirdPerSec)} / ${fmt.int(st.lastThirdPerSec)}`, `submit ${fmt.ms(st.submitMs.p50)}`, '', `submit ${fmt.ms(st.submitMs.p99)}`],
    );
  }
  if (so) rows.push(['service alone: submitAndClaimNext; first / last third', `${fmt.int(so.pairsPerSec)} pairs/s; ${fmt.int(so.firstThirdPerSec)} / ${fmt.int(so.lastThirdPerSec)}`, fmt.ms(so.submitMs.p50), '', fmt.ms(so.submitMs.p99)]);
  const sg = res.service.grouped;
  if (sg) rows.push([`service alone: the same, ${GROUP} a commit (per commit)`, `${fmt.int(sg.pairsPerSec)} pairs/s; ${fmt.int(sg.firstThirdPerSec)} / ${fmt.int(sg.lastThirdPerSec)}`, fmt.ms(sg.submitMs.p50), '', fmt.ms(sg.submitMs.p99)]);
  const cpu = (ms) => (ms === null || ms === undefined ? '–' : `${(ms * 1000).toFixed(0)} µs`);
  const core = (ms) => (ms ? ` (${fmt.int(1000 / ms)}/s on one core)` : '');
  rows.push(['CPU per unit: server / client (bench) process', '', '', '', '']);
  if (two) rows.push(['  two requests, per pair', `${cpu(two.serverCpuMsPerPair)}${core(two.serverCpuMsPerPair)} / ${cpu(two.clientCpuMsPerPair)}`, '', '', '']);
  if (one) rows.push(['  one request, per pair', `${cpu(one.serverCpuMsPerPair)}${core(one.serverCpuMsPerPair)} / ${cpu(one.clientCpuMsPerPair)}`, '', '', '']);
  rows.push(['  GET /health, per request', `${cpu(h.serverCpuMsPerReq)}${core(h.serverCpuMsPerReq)} / ${cpu(h.clientCpuMsPerReq)}`, '', '', '']);
  for (const [mode, x] of Object.entries(res.service)) rows.push([`  service alone (${mode === 'two' ? 'claim + submit' : mode === 'one' ? 'submitAndClaimNext' : `${GROUP} a commit`}), per pair`, `${cpu(x.cpuMsPerPair)}${core(x.cpuMsPerPair)}`, '', '', '']);
  for (const [mode, a] of Object.entries(res.http)) {
    rows.push([`ratio ${mode === 'two' ? 'two-request' : 'one-request'} req/s to /health, to bare; pairs/s to its service`, `${a.ratio.toHealth.toFixed(2)}x, ${a.ratio.toBare.toFixed(2)}x; ${a.ratio.toService.toFixed(2)}x`, '', '', '']);
  }
  return table(rows, { md });
}

export function annotateVerdict(res) {
  const lines = [];
  for (const [mode, a] of Object.entries(res.http)) {
    const p99 = mode === 'two' ? `claim p99 ${fmt.ms(a.claim.p99)}, submit p99 ${fmt.ms(a.submit.p99)}` : `p99 ${fmt.ms(a.submit.p99)}`;
    lines.push(`${mode === 'two' ? 'two requests per pair' : 'one request per pair (?next=true)'}: target ≥ 5,000 pairs/s with p99 < 50 ms ${a.met ? 'met' : 'MISSED'} ` +
      `(${fmt.int(a.pairsPerSec)} pairs/s, ${p99}; measured window ${a.seconds.toFixed(1)} s median${a.exhausted ? ', the queue ran empty in some run' : ''})`);
  }
  lines.push(
    `server peak RSS ${fmt.mib(res.serverPeakRssKiB)}; floors ${res.floorSeconds} s each`,
    `1-minute load average before → after each run: ${res.loadAvg1.map((l) => l.map((x) => x.toFixed(1)).join(' → ')).join(', ')} (${res.machine.nproc} CPUs)`,
  );
  return lines;
}

/** The server under --cpu-prof during one load in `mode`; top functions by self and total time. */
export async function profileAnnotate({ items = ITEMS, annotators = 200, duration = 8, warmup = 1, warmupLoad = WARMUP_LOAD, top = 25, mode = 'one' } = {}) {
  const { template, tokens } = await prepareAnnotateDb({ items, annotators });
  const { summarizeProfile } = await import('./cpuprofile-top.js');
  const dir = join(OUT, 'prof-annotate');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const r = await oneRun({ template, tokens, duration, warmup, warmupLoad, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir], name: 'profile-annotate.db', seed: 9, withHealth: false, mode });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  return { mode, run: r.annotate, file: join(dir, file), ...summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), top) };
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
    ...(f['warmup-load'] ? { warmupLoad: Number(f['warmup-load']) } : {}),
    ...(f.runs ? { runs: Number(f.runs) } : {}),
  };
  if (f.client !== undefined) {
    if (f.client !== 'raw' && f.client !== 'node') throw new Error('--client: raw or node');
    CLIENT = f.client;
  }
  const modes = typeof f.modes === 'string' ? f.modes.split(',').map((m) => m.trim()) : MODES;
  if (!modes.length || modes.some((m) => !MODES.includes(m))) throw new Error(`--modes: a comma-separated list of ${MODES.join(', ')}`);
  const profileMode = typeof f['profile-mode'] === 'string' ? f['profile-mode'] : 'one';
  if (!MODES.includes(profileMode)) throw new Error(`--profile-mode: one of ${MODES.join(', ')}`);
  const watchdog = setTimeout(() => {
    log('annotate: gave up after 10 minutes');
    process.exit(1);
  }, 10 * 60_000);
  watchdog.unref();
  const res = await runAnnotateBench({ ...opts, modes, ...(f.segments ? { segments: Number(f.segments) } : {}) });
  writeFileSync(join(OUT, 'annotate-results.json'), JSON.stringify(res, null, 2));
  console.log(
    `machine: ${res.machine.nproc} CPUs, node ${res.machine.node}; ${fmt.int(res.items)} items (overlap 1), ${res.annotators} concurrent annotators, ` +
      `≤ ${res.duration} s per mode in ${res.segments} alternating segments after a warm-up of ${res.warmup} s /health + ${res.warmupLoad} s claim/submit, modes ${res.modes.join(', ')}, medians of ${res.runs} runs, ${CLIENT} client`,
  );
  console.log(annotateTable(res));
  for (const l of annotateVerdict(res)) console.log(`  ${l}`);
  if (f.plan) {
    const p = await claimPlan(join(OUT, DB_NAME[modes.includes('two') ? 'two' : 'one']));
    writeFileSync(join(OUT, 'annotate-plan.json'), JSON.stringify(p, null, 2));
    console.log(`\nqueue statements on bench/out/annotate.db after the last run (${JSON.stringify(p.counts)}):`);
    for (const s of p.statements) console.log(`- ${s.name}: ${fmt.ms(s.medianMs)} alone\n  ${s.sql}\n  plan: ${s.plan.join(' | ')}`);
  }
  if (f.profile) {
    const { profileTable } = await import('./cpuprofile-top.js');
    const p = await profileAnnotate({ ...opts, runs: undefined, duration: Math.min(opts.duration ?? 8, 8), warmup: 1, mode: profileMode });
    writeFileSync(join(OUT, 'profile-annotate.json'), JSON.stringify(p, null, 2));
    console.log(`\nserver CPU profile, ${p.mode === 'one' ? 'one request per pair' : 'two requests per pair'} (${fmt.int(p.run.pairsPerSec)} pairs/s under the profiler; ${p.totalMs.toFixed(0)} ms sampled, idle ${p.idleMs.toFixed(0)} ms; ${p.file})`);
    console.log('self time:');
    console.log(profileTable(p.self));
    console.log('\ntotal (inclusive) time:');
    console.log(profileTable(p.total));
  }
}
