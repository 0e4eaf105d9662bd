// The import's write path alone: 50,000 item rows (1 KiB of features each) inserted in the import's staging
// transactions (2,000, 4,000, 8,000, then 10,000 rows), with SQLite's auto-checkpoint in the commits against the
// checkpointer thread (src/db/checkpointer.ts) doing the copying. Alternated, medians; after `npm run build`.
//
//   node bench/import-writes.js [--rows 50000] [--runs 3]
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LABELS, OUT, ensureOut, flags, fmt, freshDb, isMain, log, median, quorum, table } from './lib.js';

const { WalCheckpointer } = await import('../dist/src/db/checkpointer.js');

async function once(mode, rows) {
  const path = freshDb(join(OUT, 'import-writes.db'));
  await quorum(['--db', path, '--json', 'project', 'create', 'P', '--labels', LABELS.join(',')]);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -16384');
  db.prepare("INSERT INTO imports (id, project_id, source, state, created_at) VALUES (7, 1, 'bench', 'staging', 0)").run();
  const insert = db.prepare(
    `INSERT INTO items (project_id, external_id, split, text, features, meta, rand, content_hash, import_id, import_line, created_at, updated_at)
     VALUES (1, ?, 'pool', ?, ?, NULL, ?, ?, 7, ?, 0, 0) ON CONFLICT (project_id, external_id) DO NOTHING`,
  );
  const features = Array.from({ length: 64 }, (_, i) => Buffer.alloc(1024, i));
  const write = db.transaction((from, to) => {
    for (let i = from; i < to; i++) insert.run(`item-${i + 1}`, 'alpha beta gamma delta epsilon', features[i & 63], (i * 0.618034) % 1, `h${i}`, i + 1);
  });
  const checkpointer = new WalCheckpointer(path);
  const endOffload = mode === 'thread' ? checkpointer.offload(db) : async () => {};
  const started = performance.now();
  for (let at = 0, size = 2000; at < rows; at += size, size = Math.min(2 * size, 10_000)) write(at, Math.min(at + size, rows));
  const written = performance.now();
  await endOffload();
  db.close(); // the last connection: checkpoints what is left
  const closed = performance.now();
  return { writeMs: written - started, closeMs: closed - written, totalMs: closed - started };
}

export async function runImportWritesBench({ rows = 50_000, runs = 3 } = {}) {
  ensureOut();
  const results = { commits: [], thread: [] };
  for (let i = 0; i < runs; i++) {
    for (const mode of ['commits', 'thread']) {
      const r = await once(mode, rows);
      results[mode].push(r);
      log(`import-writes: ${mode} run ${i + 1}/${runs}: writes ${fmt.ms(r.writeMs)}, close ${fmt.ms(r.closeMs)}`);
    }
  }
  const summary = Object.fromEntries(
    Object.entries(results).map(([mode, rs]) => [mode, { writeMs: median(rs.map((r) => r.writeMs)), closeMs: median(rs.map((r) => r.closeMs)), totalMs: median(rs.map((r) => r.totalMs)) }]),
  );
  return { rows, runs, summary, results };
}

if (isMain(import.meta.url)) {
  const f = flags();
  const res = await runImportWritesBench({ ...(f.rows ? { rows: Number(f.rows) } : {}), ...(f.runs ? { runs: Number(f.runs) } : {}) });
  const base = res.summary.commits.totalMs;
  console.log(
    table([
      ['checkpoints', 'writes', 'close', 'total', 'ratio to commits'],
      ...Object.entries(res.summary).map(([mode, s]) => [mode === 'commits' ? 'in the commits (SQLite default)' : 'on the checkpointer thread', fmt.ms(s.writeMs), fmt.ms(s.closeMs), fmt.ms(s.totalMs), `${(s.totalMs / base).toFixed(2)}x`]),
    ]),
  );
}
