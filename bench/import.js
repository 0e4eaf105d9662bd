// Import throughput and peak memory of the real CLI, against a floor that only
// reads and JSON.parses the same file. Each measurement is a child process.
//
//   node bench/import.js [--sizes 50000,200000] [--runs 3] [--compare OTHER/bin/quorum.js]
//
// --compare: another build's CLI (a checkout of an earlier commit, built), run on the same file right after this
// one in every run, so that both meet the same noise; the table gets its time and the ratio of the two.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CLI, LABELS, OUT, ROOT, ensureOut, flags, fmt, freshDb, generateJsonl, isMain, log, machine, median, quorum, runChild, table } from './lib.js';

const FLOOR = join(ROOT, 'bench', 'floor.js');
const CHILD_TIMEOUT_MS = 10 * 60_000;

export async function importOnce(file, lines, env = {}, cli = CLI) {
  const db = freshDb(join(OUT, 'import.db'));
  await quorum(['--db', db, '--json', 'project', 'create', 'P', '--labels', LABELS.join(',')]);
  const r = await runChild(process.execPath, [cli, '--db', db, '--json', 'import', 'P', file], { timeoutMs: CHILD_TIMEOUT_MS, env });
  const summary = JSON.parse(r.stdout);
  if (summary.inserted !== lines || summary.rejected !== 0) throw new Error(`import summary does not match the file: ${r.stdout}`);
  // the import job itself, from its row: the wall time minus process and module start-up and closing
  const conn = new Database(db, { readonly: true });
  const job = conn.prepare('SELECT started_at AS startedAt, finished_at AS finishedAt FROM jobs WHERE id = ?').get(summary.jobId);
  conn.close();
  return { wallMs: r.wallMs, jobMs: job.finishedAt - job.startedAt, maxRssKiB: r.maxRssKiB, annotations: summary.annotationsAdded };
}

export async function floorOnce(file, lines) {
  const r = await runChild(process.execPath, [FLOOR, file], { timeoutMs: CHILD_TIMEOUT_MS });
  const out = JSON.parse(r.stdout);
  if (out.lines !== lines) throw new Error(`floor read ${out.lines} lines, expected ${lines}`);
  return { wallMs: r.wallMs, maxRssKiB: r.maxRssKiB };
}

/** Fixed costs inside every import's wall time: node's start-up, and the CLI's (module loading). */
async function startupOnce() {
  const node = await runChild(process.execPath, ['-e', '0'], { timeoutMs: 30_000 });
  const cli = await runChild(process.execPath, [CLI, '--version'], { timeoutMs: 30_000 });
  return { nodeMs: node.wallMs, cliMs: cli.wallMs };
}

export async function runImportBench({ sizes = [50_000, 200_000], runs = 3, compare } = {}) {
  ensureOut();
  const results = [];
  const startup = [];
  for (let i = 0; i < 3; i++) startup.push(await startupOnce());
  for (const n of sizes) {
    log(`import: generating ${n} lines`);
    const gen = await generateJsonl(n);
    const imp = [];
    const flo = [];
    const other = [];
    // interleaved, so that a noisy neighbour hits both sides alike
    for (let i = 0; i < runs; i++) {
      const f = await floorOnce(gen.path, n);
      flo.push(f);
      log(`import: ${n} floor  run ${i + 1}/${runs}: ${fmt.ms(f.wallMs)}, peak RSS ${fmt.mib(f.maxRssKiB)}`);
      const m = await importOnce(gen.path, n);
      imp.push(m);
      log(`import: ${n} import run ${i + 1}/${runs}: ${fmt.ms(m.wallMs)} (${fmt.int(n / (m.wallMs / 1000))} items/s; the job alone ${fmt.ms(m.jobMs)}, ${fmt.int(n / (m.jobMs / 1000))} items/s), peak RSS ${fmt.mib(m.maxRssKiB)}`);
      if (compare) {
        const o = await importOnce(gen.path, n, {}, compare);
        other.push(o);
        log(`import: ${n} compared build run ${i + 1}/${runs}: ${fmt.ms(o.wallMs)} (${fmt.int(n / (o.wallMs / 1000))} items/s), peak RSS ${fmt.mib(o.maxRssKiB)}`);
      }
    }
    const impMs = median(imp.map((r) => r.wallMs));
    const floMs = median(flo.map((r) => r.wallMs));
    results.push({
      lines: n,
      fileMiB: gen.bytes / 2 ** 20,
      labelled: gen.labelled,
      import: { wallMs: impMs, itemsPerSec: n / (impMs / 1000), jobMs: median(imp.map((r) => r.jobMs)), jobItemsPerSec: n / (median(imp.map((r) => r.jobMs)) / 1000), maxRssKiB: median(imp.map((r) => r.maxRssKiB)), runs: imp },
      floor: { wallMs: floMs, linesPerSec: n / (floMs / 1000), maxRssKiB: median(flo.map((r) => r.maxRssKiB)), runs: flo },
      timeRatio: impMs / floMs,
      ...(compare
        ? { compared: { wallMs: median(other.map((r) => r.wallMs)), maxRssKiB: median(other.map((r) => r.maxRssKiB)), ratio: impMs / median(other.map((r) => r.wallMs)), runs: other } }
        : {}),
      rssRatio: median(imp.map((r) => r.maxRssKiB)) / median(flo.map((r) => r.maxRssKiB)),
    });
  }
  return {
    machine: machine(),
    nodeStartupMs: median(startup.map((s) => s.nodeMs)),
    cliStartupMs: median(startup.map((s) => s.cliMs)),
    runs,
    ...(compare ? { compare } : {}),
    results,
  };
}

export function importTable(res, { md = false } = {}) {
  return table(
    [
      [
        'lines', 'file', 'import time', 'import items/s', 'the job alone', 'floor time', 'floor lines/s', 'time ratio import/floor', 'import peak RSS', 'floor peak RSS',
        ...(res.compare ? ['compared build: time, peak RSS', 'time ratio this/compared'] : []),
      ],
      ...res.results.map((r) => [
        fmt.int(r.lines),
        `${r.fileMiB.toFixed(0)} MiB`,
        fmt.ms(r.import.wallMs),
        fmt.int(r.import.itemsPerSec),
        r.import.jobMs === undefined ? '–' : `${fmt.ms(r.import.jobMs)} = ${fmt.int(r.import.jobItemsPerSec)}/s`,
        fmt.ms(r.floor.wallMs),
        fmt.int(r.floor.linesPerSec),
        `${r.timeRatio.toFixed(2)}x`,
        fmt.mib(r.import.maxRssKiB),
        fmt.mib(r.floor.maxRssKiB),
        ...(r.compared ? [`${fmt.ms(r.compared.wallMs)}, ${fmt.mib(r.compared.maxRssKiB)}`, `${r.compared.ratio.toFixed(2)}x`] : []),
      ]),
    ],
    { md },
  );
}

export function importVerdict(res) {
  const TARGET_RATE = 50_000;
  const TARGET_RSS_MIB = 300;
  const lines = [];
  for (const r of res.results) {
    const rss = r.import.maxRssKiB / 1024;
    lines.push(
      `${fmt.int(r.lines)} lines: ${fmt.int(r.import.itemsPerSec)} items/s (target >= ${fmt.int(TARGET_RATE)}: ${r.import.itemsPerSec >= TARGET_RATE ? 'met' : 'MISSED'}), ` +
        `peak RSS ${rss.toFixed(0)} MiB (target < ${TARGET_RSS_MIB} MB: ${rss * 1.048576 < TARGET_RSS_MIB ? 'met' : 'MISSED'}); ` +
        `the import job alone (its row's start to finish, without the process's start-up): ${fmt.int(r.import.jobItemsPerSec)} items/s`,
    );
  }
  if (res.results.length >= 2) {
    const [a, b] = [res.results[0], res.results[res.results.length - 1]];
    const growth = b.import.maxRssKiB / a.import.maxRssKiB;
    lines.push(
      `peak RSS ${fmt.mib(a.import.maxRssKiB)} at ${fmt.int(a.lines)} lines vs ${fmt.mib(b.import.maxRssKiB)} at ${fmt.int(b.lines)} lines ` +
        `(x${growth.toFixed(2)} for x${(b.lines / a.lines).toFixed(0)} the file): ${growth < 1.25 ? 'flat, does not grow with file size' : 'GROWS with file size'}`,
    );
  }
  if (res.cliStartupMs) {
    lines.push(
      `fixed costs inside the import times: node start-up ${fmt.ms(res.nodeStartupMs)}, \`quorum --version\` ${fmt.ms(res.cliStartupMs)} (module loading); the floor pays only the first`,
    );
  }
  return lines;
}

if (isMain(import.meta.url)) {
  const f = flags();
  const res = await runImportBench({
    ...(f.sizes ? { sizes: String(f.sizes).split(',').map(Number) } : {}),
    ...(f.runs ? { runs: Number(f.runs) } : {}),
    ...(f.compare ? { compare: String(f.compare) } : {}),
  });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(OUT, 'import-results.json'), JSON.stringify(res, null, 2));
  console.log(`machine: ${res.machine.nproc} CPUs (${res.machine.cpu}), node ${res.machine.node}; peak RSS via ${res.machine.rssMethod}; medians of ${res.runs} runs`);
  console.log(importTable(res));
  for (const l of importVerdict(res)) console.log(l);
}
