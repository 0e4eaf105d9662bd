// `quorum simulate` speed (issue 4): mnist10k, random + least-confidence + entropy + margin,
// 5 seeds, 20 random seed labels, batches of 100 up to 3,000 labels, softmax, the fixed test
// split — the peer's protocol (modAL + scikit-learn needed ~11 minutes for it). Target ≤ 3 minutes
// on 2 cores. The real CLI in a child process: wall time, peak RSS, and where the thread time went.
//
//   npm run build && node bench/simulate.js [--workers 2] [--seeds 5] [--budget 3000] [--runs 1]
//                                           [--compare]   (also: warm vs cold fits on a smaller run)
//
// --compare runs 4 strategies × 3 seeds × budget 1,500 three ways — cold fits (every round from
// zero, sklearn's way), warm fits without a cap, warm fits with the default cap — and reports
// AULC and labels to accuracy 0.88 for each, so the curves can be checked to stay as good.
import { loadavg } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, OUT, ROOT, flags, fmt, log, machine, median, runChild, table } from './lib.js';

const f = flags();
const workers = String(f.workers ?? 2);
const seeds = Number(f.seeds ?? 5);
const budget = Number(f.budget ?? 3000);
const runs = Number(f.runs ?? 1);
const STRATEGIES = 'random,least-confidence,entropy,margin';
const DATA = ['--data', join(ROOT, 'bench', 'data', 'mnist10k.jsonl.gz'), '--test-ids', join(ROOT, 'bench', 'data', 'splits', 'mnist10k.test_ids.json')];
mkdirSync(OUT, { recursive: true });

async function simulate(name, extra, { seedCount = seeds, budgetLabels = budget } = {}) {
  const out = join(OUT, `simulate-${name}`);
  const args = [CLI, '--json', 'simulate', ...DATA, '--strategies', STRATEGIES, '--model', 'softmax', '--seeds', String(seedCount),
    '--initial', '20', '--batch', '100', '--budget', String(budgetLabels), '--scaling', 'none', '--target-accuracy', '0.88', '--workers', workers, '--out', out, ...extra];
  const load0 = loadavg()[0];
  const r = await runChild(process.execPath, args, { timeoutMs: 30 * 60_000 });
  const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  const sum = (k) => res.runs.reduce((s, x) => s + x.timing[k], 0);
  const thread = { total: sum('totalMs') + res.fullPool.perSeed.slice(0, 1).reduce((s, x) => s + x.ms, 0), fit: sum('fitMs'), score: sum('scoreMs'), select: sum('selectMs'), eval: sum('evalMs') };
  const iterations = res.runs.flatMap((x) => x.iterations);
  return { name, wallMs: r.wallMs, maxRssKiB: r.maxRssKiB, load: [load0, loadavg()[0]], thread, fits: iterations.length, meanIterations: iterations.reduce((a, b) => a + b, 0) / iterations.length, results: res };
}

function curveTable(r) {
  return [
    ['strategy', 'labels to acc. 0.88 (per seed)', 'mean ± sd', 'labels to 98% of full pool', 'AULC'],
    ...r.results.summaries.map((s) => [
      s.strategy,
      s.labelsToAccuracy.perSeed.map((v) => v ?? '>').join(' / '),
      s.labelsToAccuracy.reached === s.labelsToAccuracy.seeds ? `${Math.round(s.labelsToAccuracy.mean)} ± ${Math.round(s.labelsToAccuracy.sd)}` : `${s.labelsToAccuracy.reached}/${s.labelsToAccuracy.seeds} reached`,
      s.labelsTo[1].reached === s.labelsTo[1].seeds ? `${Math.round(s.labelsTo[1].mean)} ± ${Math.round(s.labelsTo[1].sd)}` : `${s.labelsTo[1].reached}/${s.labelsTo[1].seeds} reached`,
      s.aulc.mean.toFixed(4),
    ]),
  ];
}

log(`machine ${JSON.stringify(machine())}`);
const report = { machine: machine(), when: new Date().toISOString(), main: [], compare: [] };
for (let i = 0; i < runs; i++) {
  log(`run ${i + 1}/${runs}: mnist10k, ${STRATEGIES}, ${seeds} seeds, budget ${budget} by 100, ${workers} workers`);
  const r = await simulate('mnist10k', []);
  log(`  wall ${(r.wallMs / 1000).toFixed(1)} s, peak RSS ${fmt.mib(r.maxRssKiB)}, load ${r.load.map((l) => l.toFixed(1)).join(' → ')}`);
  report.main.push(r);
}
const walls = report.main.map((r) => r.wallMs);
const last = report.main.at(-1);
const t = last.thread;
const lines = [
  `## simulate speed: mnist10k, 4 strategies × ${seeds} seeds × budget ${budget} by 100 (${workers} worker threads)`,
  '',
  table([
    ['wall time (median of runs)', 'runs', 'target', 'peer (modAL)', 'peak RSS', 'load avg (1 min) before → after', 'fits', 'L-BFGS iterations / fit'],
    [`${(median(walls) / 1000).toFixed(1)} s`, walls.map((w) => (w / 1000).toFixed(1)).join(', '), '≤ 180 s', '~660 s', fmt.mib(last.maxRssKiB), last.load.map((l) => l.toFixed(1)).join(' → '), last.fits, last.meanIterations.toFixed(1)],
  ], { md: true }),
  '',
  `Thread time (sum over worker tasks): ${(t.total / 1000).toFixed(1)} s — fits ${(t.fit / 1000).toFixed(1)} s, pool probabilities ${(t.score / 1000).toFixed(1)} s, selection ${(t.select / 1000).toFixed(1)} s, test evaluation ${(t.eval / 1000).toFixed(1)} s; full-pool fit ${(last.results.fullPool.perSeed[0].ms / 1000).toFixed(1)} s (once: deterministic).`,
  '',
  table(curveTable(last), { md: true }),
];
if (f.compare) {
  for (const [name, extra] of [['cold', ['--no-warm-start']], ['warm-uncapped', ['--warm-iter', '100']], ['warm-default', []]]) {
    log(`compare: ${name}`);
    report.compare.push(await simulate(`compare-${name}`, extra, { seedCount: 3, budgetLabels: 1500 }));
  }
  const cold = report.compare[0];
  lines.push('', '## warm vs cold fits: 4 strategies × 3 seeds × budget 1,500 by 100', '');
  lines.push(table([
    ['fits', 'wall', 'thread time', 'iterations / fit', ...cold.results.summaries.map((s) => `AULC ${s.strategy}`), ...cold.results.summaries.map((s) => `to 0.88 ${s.strategy}`)],
    ...report.compare.map((r) => [
      r.name, `${(r.wallMs / 1000).toFixed(1)} s`, `${(r.thread.total / 1000).toFixed(1)} s`, r.meanIterations.toFixed(1),
      ...r.results.summaries.map((s, i) => `${s.aulc.mean.toFixed(4)}${r === cold ? '' : ` (${(s.aulc.mean - cold.results.summaries[i].aulc.mean >= 0 ? '+' : '') + (s.aulc.mean - cold.results.summaries[i].aulc.mean).toFixed(4)})`}`),
      ...r.results.summaries.map((s) => s.labelsToAccuracy.perSeed.map((v) => v ?? '>').join('/')),
    ]),
  ], { md: true }));
}
for (const r of [...report.main, ...report.compare]) delete r.results.runs;
writeFileSync(join(OUT, 'simulate.json'), JSON.stringify(report, null, 1));
process.stdout.write(lines.join('\n') + '\n');
