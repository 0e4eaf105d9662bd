// The import with its JSONL parsing on 0, 1 and 2 worker threads (QUORUM_IMPORT_WORKERS),
// against the same-run floor (read + JSON.parse only), on the 50,000-line file.
//
//   node bench/import-workers.js [--lines 50000] [--workers 0,1,2] [--runs 3]
import { fmt, flags, generateJsonl, isMain, log, median } from './lib.js';
import { floorOnce, importOnce } from './import.js';

export async function runWorkersBench({ lines = 50_000, workers = [0, 1, 2], runs = 3 } = {}) {
  const { path } = await generateJsonl(lines);
  const rows = [];
  const floor = [];
  const byWorkers = new Map(workers.map((w) => [w, []]));
  for (let run = 0; run < runs; run++) {
    floor.push((await floorOnce(path, lines)).wallMs);
    for (const w of workers) {
      const r = await importOnce(path, lines, { QUORUM_IMPORT_WORKERS: String(w) });
      byWorkers.get(w).push(r);
      log(`import-workers: ${w} thread(s) run ${run + 1}/${runs}: ${r.wallMs.toFixed(0)} ms, peak RSS ${fmt.mib(r.maxRssKiB)}`);
    }
  }
  const floorMs = median(floor);
  for (const w of workers) {
    const rs = byWorkers.get(w);
    const ms = median(rs.map((r) => r.wallMs));
    rows.push({ workers: w, ms, itemsPerSecond: (lines / ms) * 1000, ratio: ms / floorMs, maxRssKiB: median(rs.map((r) => r.maxRssKiB)) });
  }
  return { lines, runs, floorMs, rows };
}

export function workersTable(r) {
  const out = [`| parse threads | import time | items/s | ratio to floor (${r.floorMs.toFixed(0)} ms) | peak RSS |`, '|---|---|---|---|---|'];
  for (const row of r.rows) out.push(`| ${row.workers} | ${row.ms.toFixed(0)} ms | ${fmt.int(Math.round(row.itemsPerSecond))} | ${row.ratio.toFixed(2)}x | ${fmt.mib(row.maxRssKiB)} |`);
  return out.join('\n');
}

if (isMain(import.meta.url)) {
  const f = flags();
  const r = await runWorkersBench({
    lines: f.lines ? Number(f.lines) : undefined,
    workers: f.workers ? String(f.workers).split(',').map(Number) : undefined,
    runs: f.runs ? Number(f.runs) : undefined,
  });
  console.log(workersTable(r));
}
