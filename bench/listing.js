// Listing latency under load: `quorum serve` on 127.0.0.1 with 50,000 imported
// items, autocannon (programmatic) on GET /api/v1/projects/P/items?limit=100 with
// several cursors and splits, against GET /health on the same server (the floor).
//
//   node bench/listing.js [--items 50000] [--duration 10] [--connections 10] [--runs 3]
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { CLI, LABELS, OUT, ensureOut, flags, fmt, freshDb, generateJsonl, isMain, log, machine, median, quorum, table } from './lib.js';

const HOST = '127.0.0.1';

/** Starts `quorum serve --port 0` and resolves with its URL (from the --json output) and a stop(). */
export async function startServer(db, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, CLI, '--db', db, '--json', 'serve', '--port', '0', '--host', HOST], {
    env: { ...process.env, QUORUM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const info = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server printed no URL within 30 s: ${out}${stderr}`));
    }, 30_000);
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      try {
        const parsed = JSON.parse(out); // --json prints one (pretty) JSON object
        clearTimeout(timer);
        resolve(parsed);
      } catch {
        /* not complete yet */
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before printing its URL: ${stderr}`));
    });
  });
  const url = new URL(info.url);
  if (url.hostname !== HOST) throw new Error(`the server listens on ${url.hostname}, expected ${HOST}`);
  return {
    url: info.url,
    pid: child.pid,
    /** Peak RSS so far (VmHWM), KiB; null where /proc is missing. */
    peakRssKiB() {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        return m ? Number(m[1]) : null;
      } catch {
        return null;
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
      process.off('exit', killOnExit);
    },
  };
}

async function getJson(url, token) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(30_000) });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Walks the listing with big pages and returns the cursors that start at the given offsets. */
async function cursorsAt(base, token, offsets) {
  const want = new Set(offsets);
  const found = new Map();
  let cursor = null;
  let seen = 0;
  while (found.size < want.size) {
    const page = await getJson(`${base}/api/v1/projects/P/items?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, token);
    seen += page.items.length;
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
    if (want.has(seen)) found.set(seen, cursor);
  }
  return offsets.map((o) => {
    if (!found.has(o)) throw new Error(`no cursor at offset ${o}`);
    return found.get(o);
  });
}

/** Unloaded latency of each path alone: `n` sequential requests after one warm-up, median ms. */
async function perPathLatency(base, token, paths, n = 15) {
  const out = [];
  for (const p of paths) {
    await getJson(base + p, token);
    const ms = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await getJson(base + p, token);
      ms.push(performance.now() - t0);
    }
    out.push({ path: p, medianMs: median(ms) });
  }
  return out;
}

export function cannon(opts) {
  return new Promise((resolve, reject) => {
    const inst = autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
    // hard stop in case the server stalls: duration + 15 s
    const t = setTimeout(() => inst.stop(), (opts.duration + 15) * 1000);
    inst.once('done', () => clearTimeout(t));
  });
}

function summarize(r) {
  return {
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    total: r.requests.total,
    bytesPerReq: r.requests.total ? r.throughput.total / r.requests.total : 0,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

/** A fresh database with project P holding `items` imported items, and an admin token. */
export async function prepareListingDb({ items = 50_000, name = 'listing.db' } = {}) {
  ensureOut();
  log(`listing: generating ${items} lines`);
  const gen = await generateJsonl(items);
  const db = freshDb(join(OUT, name));
  await quorum(['--db', db, '--json', 'project', 'create', 'P', '--labels', LABELS.join(',')]);
  log('listing: importing');
  const summary = await quorum(['--db', db, '--json', 'import', 'P', gen.path], { timeoutMs: 600_000 });
  if (summary.inserted !== items) throw new Error(`imported ${summary.inserted} of ${items}`);
  const { token } = await quorum(['--db', db, '--json', 'user', 'add', 'bench-admin', '--role', 'admin']);
  return { db, token };
}

export async function runListingBench({ items = 50_000, duration = 10, connections = 10, runs = 3, warmup = 2 } = {}) {
  const { db, token } = await prepareListingDb({ items });
  const server = await startServer(db);
  log(`listing: server at ${server.url} (pid ${server.pid})`);
  try {
    const headers = { authorization: `Bearer ${token}` };
    const [c10k, c25k, c45k] = await cursorsAt(server.url, token, [10_000, 25_000, 45_000]);
    const base = '/api/v1/projects/P/items?limit=100';
    const paths = [
      base,
      `${base}&cursor=${c10k}`,
      `${base}&split=pool`,
      `${base}&cursor=${c25k}&split=pool`,
      `${base}&cursor=${c45k}`,
    ];
    for (const p of paths) {
      const page = await getJson(server.url + p, token);
      if (page.items.length !== 100) throw new Error(`${p}: ${page.items.length} items, expected 100`);
    }
    const sequential = await perPathLatency(server.url, token, paths);
    for (const s of sequential) log(`listing: alone ${fmt.ms(s.medianMs)}  ${s.path}`);
    const listingOpts = { url: server.url, connections, headers, requests: paths.map((path) => ({ method: 'GET', path })) };
    const healthOpts = { url: server.url, connections, requests: [{ method: 'GET', path: '/health' }] };

    log(`listing: warm-up ${warmup} s each`);
    await cannon({ ...healthOpts, duration: warmup });
    await cannon({ ...listingOpts, duration: warmup });

    const health = [];
    const listing = [];
    for (let i = 0; i < runs; i++) {
      const h = summarize(await cannon({ ...healthOpts, duration }));
      health.push(h);
      log(`listing: run ${i + 1}/${runs} /health: ${fmt.int(h.reqPerSec)} req/s, p50 ${h.p50} ms, p99 ${h.p99} ms`);
      const l = summarize(await cannon({ ...listingOpts, duration }));
      listing.push(l);
      log(`listing: run ${i + 1}/${runs} items:   ${fmt.int(l.reqPerSec)} req/s, p50 ${l.p50} ms, p99 ${l.p99} ms`);
    }
    const bad = [...health, ...listing].filter((r) => r.non2xx || r.errors || r.timeouts);
    if (bad.length) throw new Error(`non-2xx/errors/timeouts under load: ${JSON.stringify(bad)}`);
    const med = (xs, k) => median(xs.map((x) => x[k]));
    const agg = (xs) => ({
      reqPerSec: med(xs, 'reqPerSec'), p50: med(xs, 'p50'), p90: med(xs, 'p90'), p99: med(xs, 'p99'), bytesPerReq: med(xs, 'bytesPerReq'), runs: xs,
    });
    const H = agg(health);
    const L = agg(listing);
    return {
      machine: machine(),
      items, duration, connections, runs, paths,
      serverPeakRssKiB: server.peakRssKiB(),
      sequential,
      health: H,
      listing: L,
      ratio: { reqPerSec: L.reqPerSec / H.reqPerSec, p50: L.p50 / H.p50, p99: L.p99 / H.p99 },
    };
  } finally {
    await server.stop();
    log('listing: server stopped');
  }
}

export function listingTable(res, { md = false } = {}) {
  const row = (name, r) => [name, fmt.int(r.reqPerSec), `${r.p50} ms`, `${r.p90} ms`, `${r.p99} ms`, `${(r.bytesPerReq / 1024).toFixed(1)} KiB`];
  return table(
    [
      ['endpoint', 'req/s', 'p50', 'p90', 'p99', 'response'],
      row('GET /api/v1/projects/P/items?limit=100', res.listing),
      row('GET /health (floor)', res.health),
      [
        'ratio items / health',
        `${res.ratio.reqPerSec.toFixed(2)}x`,
        `${res.ratio.p50.toFixed(1)}x`,
        '',
        `${res.ratio.p99.toFixed(1)}x`,
        '',
      ],
    ],
    { md },
  );
}

/** Per-path latency without load; cursors are shown by the offset they start at. */
export function sequentialTable(res, { md = false } = {}) {
  const offsets = ['10k', '25k', '45k'];
  let k = 0;
  const cursorNames = new Map();
  const name = (p) =>
    p
      .replace('/api/v1/projects/P/items', '')
      .replace(/cursor=([^&]+)/, (_, c) => {
        if (!cursorNames.has(c)) cursorNames.set(c, offsets[k++] ?? '?');
        return `cursor=<at ${cursorNames.get(c)}>`;
      });
  return table([['request (alone, sequential)', 'median latency'], ...res.sequential.map((s) => [name(s.path), fmt.ms(s.medianMs)])], { md });
}

if (isMain(import.meta.url)) {
  const f = flags();
  const res = await runListingBench({
    ...(f.items ? { items: Number(f.items) } : {}),
    ...(f.duration ? { duration: Number(f.duration) } : {}),
    ...(f.connections ? { connections: Number(f.connections) } : {}),
    ...(f.runs ? { runs: Number(f.runs) } : {}),
  });
  writeFileSync(join(OUT, 'listing-results.json'), JSON.stringify(res, null, 2));
  console.log(
    `machine: ${res.machine.nproc} CPUs, node ${res.machine.node}; ${fmt.int(res.items)} items, ${res.connections} connections, ${res.duration} s, medians of ${res.runs} runs; server peak RSS ${fmt.mib(res.serverPeakRssKiB)}`,
  );
  console.log(listingTable(res));
  console.log(sequentialTable(res));
}
