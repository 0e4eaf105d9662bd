// Summarizes a V8 .cpuprofile: top functions by self time and by total (inclusive) time.
//
//   node bench/cpuprofile-top.js FILE.cpuprofile [--top 25] [--json]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT, flags, isMain, table } from './lib.js';

function where(cf) {
  let url = cf.url || '';
  if (url.startsWith('file://')) url = relative(ROOT, new URL(url).pathname);
  if (!url) return '';
  return `${url}:${cf.lineNumber + 1}`;
}

/** Returns { totalMs, self: [{ name, where, ms, share }], total: [...] }. */
export function summarizeProfile(profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n) => `${n.callFrame.functionName || '(anonymous)'}\u0000${where(n.callFrame)}`;
  const selfUs = new Map();
  const totalUs = new Map();
  let sum = 0;
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute the interval after it to sample i
    const dt = deltas[i + 1] ?? (profile.endTime - profile.startTime) / profile.samples.length;
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    sum += dt;
    const k = key(node);
    selfUs.set(k, (selfUs.get(k) ?? 0) + dt);
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const kk = key(byId.get(id));
      if (seen.has(kk)) continue;
      seen.add(kk);
      totalUs.set(kk, (totalUs.get(kk) ?? 0) + dt);
    }
  }
  const rows = (m) =>
    [...m.entries()]
      .map(([k, us]) => {
        const [name, loc] = k.split('\u0000');
        return { name, where: loc, ms: us / 1000, share: us / sum };
      })
      .sort((a, b) => b.ms - a.ms);
  const idleUs = [...selfUs.entries()].filter(([k]) => k.startsWith('(idle)')).reduce((s, [, v]) => s + v, 0);
  return {
    totalMs: sum / 1000,
    idleMs: idleUs / 1000,
    self: rows(selfUs).slice(0, top),
    total: rows(totalUs).filter((r) => !['(root)', '(anonymous)'].includes(r.name) || r.where).slice(0, top),
  };
}

export function profileTable(rows, { md = false } = {}) {
  return table([['share', 'ms', 'function', 'where'], ...rows.map((r) => [`${(100 * r.share).toFixed(1)}%`, r.ms.toFixed(0), r.name, r.where || '(native/V8)'])], { md });
}

if (isMain(import.meta.url)) {
  const file = process.argv[2];
  if (!file || file.startsWith('--')) {
    process.stderr.write('usage: node bench/cpuprofile-top.js FILE.cpuprofile [--top N] [--json]\n');
    process.exit(2);
  }
  const f = flags(process.argv.slice(3));
  const s = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), Number(f.top ?? 25));
  if (f.json) console.log(JSON.stringify(s, null, 2));
  else {
    console.log(`profile: ${s.totalMs.toFixed(0)} ms sampled, of which idle ${s.idleMs.toFixed(0)} ms\n\nself time:`);
    console.log(profileTable(s.self));
    console.log('\ntotal (inclusive) time:');
    console.log(profileTable(s.total));
  }
}
