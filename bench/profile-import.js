// CPU profile of one real CLI import (node --cpu-prof), summarized by self time.
//
//   node bench/profile-import.js [--lines 50000] [--top 25]
import { mkdirSync, readdirSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, LABELS, OUT, flags, freshDb, generateJsonl, isMain, log, quorum, runChild } from './lib.js';
import { profileTable, summarizeProfile } from './cpuprofile-top.js';

export async function profileImport({ lines = 50_000, top = 25 } = {}) {
  const gen = await generateJsonl(lines);
  const db = freshDb(join(OUT, 'profile.db'));
  await quorum(['--db', db, '--json', 'project', 'create', 'P', '--labels', LABELS.join(',')]);
  const dir = join(OUT, 'prof');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`profile: importing ${lines} lines under --cpu-prof`);
  const r = await runChild(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, CLI, '--db', db, '--json', 'import', 'P', gen.path], {
    timeoutMs: 600_000,
  });
  // one profile per thread: the main thread's is written first (…0.001), a parse thread's after it
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const file = join(dir, files[0]);
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), top);
  const threads = files.slice(1).map((f) => ({ file: join(dir, f), ...summarizeProfile(JSON.parse(readFileSync(join(dir, f), 'utf8')), top) }));
  return { lines, wallMs: r.wallMs, file, ...summary, threads };
}

if (isMain(import.meta.url)) {
  const f = flags();
  const p = await profileImport({ ...(f.lines ? { lines: Number(f.lines) } : {}), ...(f.top ? { top: Number(f.top) } : {}) });
  writeFileSync(join(OUT, 'profile-import.json'), JSON.stringify(p, null, 2));
  console.log(`profile of importing ${p.lines} lines: ${p.wallMs.toFixed(0)} ms wall (with profiler), ${p.totalMs.toFixed(0)} ms sampled, idle ${p.idleMs.toFixed(0)} ms; ${p.file}\n`);
  console.log('self time:');
  console.log(profileTable(p.self));
  console.log('\ntotal (inclusive) time:');
  console.log(profileTable(p.total));
  for (const t of p.threads) {
    console.log(`\nparse thread: ${t.totalMs.toFixed(0)} ms sampled, idle ${t.idleMs.toFixed(0)} ms; ${t.file}\nself time:`);
    console.log(profileTable(t.self));
  }
}
