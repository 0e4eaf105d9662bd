// CPU profile of the server while autocannon loads one listing request shape.
//
//   node bench/profile-listing.js [--path '/api/v1/projects/P/items?limit=100'] [--duration 6] [--top 20]
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, flags, fmt, isMain, log } from './lib.js';
import { cannon, prepareListingDb, startServer } from './listing.js';
import { profileTable, summarizeProfile } from './cpuprofile-top.js';

export async function profileListing({ path = '/api/v1/projects/P/items?limit=100', duration = 6, connections = 10, top = 20 } = {}) {
  const { db, token } = await prepareListingDb({ name: 'profile-listing.db' });
  const dir = join(OUT, 'prof-listing');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await startServer(db, ['--cpu-prof', '--cpu-prof-dir', dir]);
  let r;
  try {
    log(`profile: ${connections} connections x ${duration} s on ${path}`);
    r = await cannon({ url: server.url, connections, duration, headers: { authorization: `Bearer ${token}` }, requests: [{ method: 'GET', path }] });
  } finally {
    await server.stop(); // SIGTERM: the server exits normally and node writes the profile
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const s = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), top);
  return { path, reqPerSec: r.requests.average, p50: r.latency.p50, non2xx: r.non2xx, file: join(dir, file), ...s };
}

if (isMain(import.meta.url)) {
  const f = flags();
  const p = await profileListing({
    ...(f.path ? { path: String(f.path) } : {}),
    ...(f.duration ? { duration: Number(f.duration) } : {}),
    ...(f.top ? { top: Number(f.top) } : {}),
  });
  writeFileSync(join(OUT, 'profile-listing.json'), JSON.stringify(p, null, 2));
  console.log(`${p.path}: ${fmt.int(p.reqPerSec)} req/s under the profiler (p50 ${p.p50} ms, non-2xx ${p.non2xx}); ${p.totalMs.toFixed(0)} ms sampled, idle ${p.idleMs.toFixed(0)} ms; ${p.file}\n`);
  console.log('self time:');
  console.log(profileTable(p.self));
  console.log('\ntotal (inclusive) time:');
  console.log(profileTable(p.total));
}
