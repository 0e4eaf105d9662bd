// Shared helpers for the benchmarks: data generation, child processes with
// wall time and peak RSS, medians, tables. Plain ESM, no dependencies.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = join(ROOT, 'bench', 'out');
export const CLI = join(ROOT, 'bin', 'quorum.js');
export const LABELS = ['l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8', 'l9'];
export const DIM = 256;

/** GNU time gives the child's peak RSS (ru_maxrss of the waited-for process). */
export const TIME_BIN = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const MAXRSS_HOOK = join(ROOT, 'bench', 'maxrss-hook.js');

export function ensureOut() {
  mkdirSync(OUT, { recursive: true });
  return OUT;
}

/** mulberry32: small, fast, seeded. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['the', 'model', 'label', 'cat', 'review', 'great', 'poor', 'shipping', 'price', 'quality', 'fast', 'broken', 'works', 'again', 'never', 'would', 'buy'];

/**
 * Writes `n` JSONL import lines: ids item-1..item-n, 256 features with 4 decimals,
 * a short text, and a label from LABELS on ~10% of the lines. Deterministic for a
 * seed; an existing file made with the same parameters is reused.
 */
export async function generateJsonl(n, { seed = 42, dir = ensureOut() } = {}) {
  const path = join(dir, `items-${n}.jsonl`);
  const metaPath = path + '.meta.json';
  const params = { n, seed, dim: DIM, version: 1 };
  if (existsSync(path) && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
      if (JSON.stringify(meta.params) === JSON.stringify(params) && meta.bytes === statSync(path).size) return { path, ...meta };
    } catch {
      /* regenerate */
    }
  }
  const rand = prng(seed);
  const out = createWriteStream(path);
  let labelled = 0;
  let chunk = '';
  for (let i = 1; i <= n; i++) {
    const f = new Array(DIM);
    for (let d = 0; d < DIM; d++) f[d] = (rand() * 2 - 1).toFixed(4);
    const words = [];
    for (let w = 0, k = 4 + Math.floor(rand() * 8); w < k; w++) words.push(WORDS[Math.floor(rand() * WORDS.length)]);
    let line = `{"id":"item-${i}","text":${JSON.stringify(words.join(' '))},"features":[${f.join(',')}]`;
    if (rand() < 0.1) {
      line += `,"label":"${LABELS[Math.floor(rand() * LABELS.length)]}"`;
      labelled++;
    }
    chunk += line + '}\n';
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  const meta = { params, lines: n, labelled, bytes: statSync(path).size };
  writeFileSync(metaPath, JSON.stringify(meta));
  return { path, ...meta };
}

/** Removes a SQLite file with its WAL/SHM companions and the tmp dir beside it. */
export function freshDb(path) {
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(p, { force: true });
  return path;
}

/**
 * Runs a child process, bounded by `timeoutMs` (SIGKILL). Measures wall time from
 * spawn to exit, and peak RSS with GNU time -v when present, else with a --import
 * hook that writes process.resourceUsage().maxRSS at exit (node children only).
 */
export async function runChild(cmd, args, { timeoutMs = 300_000, env = {}, measureRss = true, cwd = ROOT } = {}) {
  let file = cmd;
  let argv = args;
  let hookFile;
  if (measureRss && TIME_BIN) {
    file = TIME_BIN;
    argv = ['-v', cmd, ...args];
  } else if (measureRss && cmd === process.execPath) {
    hookFile = join(ensureOut(), `maxrss-${process.pid}-${Date.now()}.txt`);
    argv = ['--import', MAXRSS_HOOK, ...args];
    env = { ...env, BENCH_MAXRSS_FILE: hookFile };
  }
  const t0 = process.hrtime.bigint();
  const child = spawn(file, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const [code, signal] = await once(child, 'close');
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  clearTimeout(timer);
  let maxRssKiB = null;
  if (file === TIME_BIN) {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
    if (m) maxRssKiB = Number(m[1]);
    // keep the child's own stderr readable: drop GNU time's report (it starts with "\tCommand being timed:")
    stderr = stderr.replace(/(^|\n)\tCommand being timed:[\s\S]*$/, '');
  } else if (hookFile && existsSync(hookFile)) {
    maxRssKiB = Number(readFileSync(hookFile, 'utf8'));
    rmSync(hookFile, { force: true });
  }
  if (timedOut) throw new Error(`${[cmd, ...args].join(' ')}: killed after ${timeoutMs} ms`);
  if (code !== 0) throw new Error(`${[cmd, ...args].join(' ')}: exit ${code ?? signal}\n${stderr.trim()}`);
  return { stdout, stderr, wallMs, maxRssKiB };
}

/** `node bin/quorum.js ARGS` (no measurement), JSON output parsed when --json is among ARGS. */
export async function quorum(args, opts = {}) {
  const r = await runChild(process.execPath, [CLI, ...args], { measureRss: false, timeoutMs: 120_000, ...opts });
  return args.includes('--json') ? JSON.parse(r.stdout) : r.stdout;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function machine() {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    rssMethod: TIME_BIN ? `${TIME_BIN} -v (Maximum resident set size)` : 'node --import bench/maxrss-hook.js (process.resourceUsage().maxRSS)',
  };
}

export const fmt = {
  int: (n) => (n === null || n === undefined ? '-' : Math.round(n).toLocaleString('en-US')),
  num: (n, d = 2) => (n === null || n === undefined ? '-' : n.toFixed(d)),
  mib: (kib) => (kib === null || kib === undefined ? '-' : `${(kib / 1024).toFixed(0)} MiB`),
  ms: (ms) => (ms === null || ms === undefined ? '-' : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`),
};

/** A plain-text table (first row is the header); `md` gives a Markdown table. */
export function table(rows, { md = false } = {}) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join(md ? ' | ' : '  ');
  if (!md) return rows.map(line).join('\n');
  return [`| ${line(rows[0])} |`, `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.slice(1).map((r) => `| ${line(r)} |`)].join('\n');
}

/** Tiny flag parser: --name value / --name=value / --flag. */
export function flags(argv = process.argv.slice(2)) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) continue;
    if (m[2] !== undefined) o[m[1]] = m[2];
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) o[m[1]] = argv[++i];
    else o[m[1]] = true;
  }
  return o;
}

export function isMain(importMetaUrl) {
  return process.argv[1] && resolve(process.argv[1]) === fileURLToPath(importMetaUrl);
}

export function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}
