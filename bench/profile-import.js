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
  const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile')));
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), top);
  return { lines, wallMs: r.wallMs, file, ...summary };
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
}
