// Agreement speed: Krippendorff's alpha (nominal, interval) and Fleiss' kappa on
// 1,000,000 units x 5 coders with 20% missing ratings, and the seeded bootstrap
// (1,000 resamples) of every project metric on 10,000 units.
//
//   node bench/agreement.js [--units 1000000] [--coders 5] [--runs 3]
// Baseline in the same run: one pass over the same codes that only tallies the
// ratings per unit (the floor any count-based metric pays), so times read as ratios.
import { performance } from 'node:perf_hooks';
import { ROOT, flags, fmt, log, median, prng } from './lib.js';
import { join } from 'node:path';

const dist = (p) => import(join(ROOT, 'dist', 'src', 'modules', 'agreement', p));
const { krippendorffAlpha, fleissKappa } = await dist('metrics/index.js');
const { metricResult, variables } = await dist('agreement.views.js');

const CATEGORIES = ['1', '2', '3', '4', '5'];

/** Codes units x coders, -1 = missing; each coder agrees with a latent value 70% of the time. */
function generate(units, coders, missing, seed) {
  const rand = prng(seed);
  const codes = new Int32Array(units * coders);
  for (let u = 0; u < units; u++) {
    const truth = Math.floor(rand() * CATEGORIES.length);
    for (let c = 0; c < coders; c++) {
      codes[u * coders + c] = rand() < missing ? -1 : rand() < 0.7 ? truth : Math.floor(rand() * CATEGORIES.length);
    }
  }
  return codes;
}

function tallyFloor(codes, units, coders) {
  const k = CATEGORIES.length;
  const counts = new Int32Array(units * k);
  for (let u = 0; u < units; u++) for (let c = 0; c < coders; c++) {
    const v = codes[u * coders + c];
    if (v >= 0) counts[u * k + v]++;
  }
  return counts;
}

function time(fn, runs) {
  const ms = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = fn();
    ms.push(performance.now() - t0);
  }
  return { ms: median(ms), result };
}

export async function runAgreementBench({ units = 1_000_000, coders = 5, runs = 3, bootstrapUnits = 10_000, resamples = 1000 } = {}) {
  log(`agreement: generating ${fmt.int(units)} units x ${coders} coders, 20% missing`);
  const codes = generate(units, coders, 0.2, 7);
  const input = { codes, nUnits: units, nCoders: coders, categories: CATEGORIES };
  const rssBefore = process.memoryUsage().rss;
  const floor = time(() => tallyFloor(codes, units, coders), runs);
  const rows = [
    ['tally floor (one pass, counts per unit)', floor.ms, null],
    ['krippendorff alpha, nominal', ...(() => { const r = time(() => krippendorffAlpha(input, { level: 'nominal' }), runs); return [r.ms, r.result.value]; })()],
    ['krippendorff alpha, interval', ...(() => { const r = time(() => krippendorffAlpha(input, { level: 'interval' }), runs); return [r.ms, r.result.value]; })()],
    ['fleiss kappa (Gwet 2014)', ...(() => { const r = time(() => fleissKappa(input), runs); return [r.ms, r.result.value]; })()],
  ];
  const rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / 1048576;

  // bootstrap through the service's own path: label data → units → every metric with its interval
  const bCodes = generate(bootstrapUnits, coders, 0.2, 11);
  const obsItem = [], obsAnnotator = [], obsLabel = [];
  for (let u = 0; u < bootstrapUnits; u++) for (let c = 0; c < coders; c++) {
    const v = bCodes[u * coders + c];
    if (v >= 0) { obsItem.push(u); obsAnnotator.push(c); obsLabel.push(v); }
  }
  const data = {
    labels: CATEGORIES, multiLabel: false, items: Array.from({ length: bootstrapUnits }, (_, i) => ({ id: i, externalId: `u${i}`, split: 'pool' })),
    annotators: Array.from({ length: coders }, (_, c) => `coder-${c}`), obsItem: Int32Array.from(obsItem), obsAnnotator: Int32Array.from(obsAnnotator),
    obsLabel: Int32Array.from(obsLabel), obsPresent: null, gold: new Int32Array(bootstrapUnits).fill(-1),
  };
  const vars = variables(data);
  const bootstrap = [];
  for (const metric of ['percent', 'cohen-kappa', 'scott-pi', 'fleiss-kappa', 'krippendorff-alpha', 'gwet-ac1']) {
    const t0 = performance.now();
    const r = metricResult(vars, metric, { level: 'interval', weights: 'none' }, resamples, 1);
    bootstrap.push({ metric, ms: performance.now() - t0, value: r.value, ci: r.ci });
  }
  return { units, coders, runs, rows, floorMs: floor.ms, rssGrowthMiB, bootstrapUnits, resamples, bootstrap };
}

export function agreementTable(r) {
  const lines = [`| computation (${fmt.int(r.units)} units x ${r.coders} coders, 20% missing) | time (median of ${r.runs}) | ratio to tally floor | value |`, '|---|---|---|---|'];
  for (const [name, ms, value] of r.rows) lines.push(`| ${name} | ${ms.toFixed(0)} ms | ${(ms / r.floorMs).toFixed(1)}x | ${value === null ? '' : value.toFixed(4)} |`);
  lines.push('', `| bootstrap, ${fmt.int(r.resamples)} resamples on ${fmt.int(r.bootstrapUnits)} units | time | value [95% CI] |`, '|---|---|---|');
  for (const b of r.bootstrap) lines.push(`| ${b.metric} | ${(b.ms / 1000).toFixed(2)} s | ${b.value.toFixed(4)} [${b.ci[0].toFixed(4)}, ${b.ci[1].toFixed(4)}] |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = flags();
  const r = await runAgreementBench({ units: f.units ? Number(f.units) : undefined, coders: f.coders ? Number(f.coders) : undefined, runs: f.runs ? Number(f.runs) : undefined });
  console.log(agreementTable(r));
  console.log(`\nheap/RSS growth while computing: ${r.rssGrowthMiB.toFixed(0)} MiB (the codes alone are ${(r.units * r.coders * 4 / 1048576).toFixed(0)} MiB)`);
}
