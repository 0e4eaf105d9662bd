// Runs every benchmark and prints a summary table (`npm run bench` builds first).
//
//   node bench/run.js [--only import|listing|agreement|annotate|scoring|strategies|cycle] [--runs 3] [--profile] [--scoring-items 1000000]
// Results: bench/out/results.json and bench/out/summary.md (Markdown tables).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, ensureOut, flags, fmt, log, machine } from './lib.js';
import { importTable, importVerdict, runImportBench } from './import.js';
import { listingTable, runListingBench, sequentialTable } from './listing.js';
import { agreementTable, runAgreementBench } from './agreement.js';
import { annotateTable, annotateVerdict, runAnnotateBench } from './annotate.js';
import { runWorkersBench, workersTable } from './import-workers.js';
import { runStrategiesBench, strategiesTable } from './strategies.js';
import { cycleTable, runCycleBench } from './cycle.js';
import { runScoringBench, scoringTable, scoringVerdict, serveTable, stagesTable, trainTable } from './scoring.js';

const WATCHDOG_MS = 30 * 60_000;
const watchdog = setTimeout(() => {
  log(`gave up after ${WATCHDOG_MS / 60_000} minutes`);
  process.exit(1); // the server child is killed by listing.js's exit hook
}, WATCHDOG_MS);
watchdog.unref();

const f = flags();
const runs = f.runs ? Number(f.runs) : 3;
const only = f.only ? String(f.only) : null;
ensureOut();
const m = machine();
const out = { date: new Date().toISOString(), machine: m };
const md = [`machine: ${m.nproc} CPUs (${m.cpu}), ${m.memGiB} GiB, node ${m.node}, ${m.platform}; peak RSS via ${m.rssMethod}`];

if (!only || only === 'import') {
  log('== import throughput and memory');
  out.import = await runImportBench({ runs });
  md.push('', `### Import (medians of ${runs} runs)`, '', importTable(out.import, { md: true }), '', ...importVerdict(out.import).map((l) => `- ${l}`));
}
if (!only || only === 'import' || only === 'import-workers') {
  log('== import: parse threads');
  out.importWorkers = await runWorkersBench({ runs });
  md.push('', `### Import with parse threads (${fmt.int(out.importWorkers.lines)} lines, medians of ${runs} runs)`, '', workersTable(out.importWorkers));
}
if (!only || only === 'listing') {
  log('== listing latency under load');
  out.listing = await runListingBench({ runs });
  md.push(
    '',
    `### Listing (${fmt.int(out.listing.items)} items, ${out.listing.connections} connections, ${out.listing.duration} s, medians of ${out.listing.runs} runs)`,
    '',
    listingTable(out.listing, { md: true }),
    '',
    `- server peak RSS during the run: ${fmt.mib(out.listing.serverPeakRssKiB)}`,
    '',
    sequentialTable(out.listing, { md: true }),
  );
}
if (!only || only === 'agreement') {
  log('== agreement metrics and bootstrap');
  out.agreement = await runAgreementBench({ runs });
  md.push('', '### Agreement', '', agreementTable(out.agreement));
}
if (!only || only === 'annotate') {
  log('== annotation queue under load');
  out.annotate = await runAnnotateBench({ runs });
  md.push('', `### Annotation queue (${fmt.int(out.annotate.items)} items, ${out.annotate.annotators} concurrent annotators, medians of ${runs} runs)`, '', annotateTable(out.annotate, { md: true }), '', ...annotateVerdict(out.annotate).map((l) => `- ${l}`));
}
if (!only || only === 'scoring') {
  log('== scoring and training throughput, server responsiveness during a run');
  out.scoring = await runScoringBench({ runs, ...(f['scoring-items'] ? { items: Number(f['scoring-items']) } : {}) });
  const s = out.scoring;
  md.push(
    '',
    `### Scoring (${fmt.int(s.items)} items × ${s.dim} features, ${s.classes} classes, TF.js ${s.backend}, medians of ${runs} runs)`,
    '',
    scoringTable(s, { md: true }),
    '',
    stagesTable(s, { md: true }),
    '',
    trainTable(s, { md: true }),
    '',
    serveTable(s, { md: true }),
    '',
    ...scoringVerdict(s).map((l) => `- ${l}`),
  );
}
if (!only || only === 'strategies') {
  log('== query strategies');
  out.strategies = await runStrategiesBench({ runs: Math.max(runs, 9) });
  md.push('', `### Query strategies (registry calls; uncertainty: medians of ${out.strategies.uncertainty.runs} runs after 2 warm-ups; diversity: 1 run each)`, '', strategiesTable(out.strategies, { md: true }));
}
if (!only || only === 'cycle') {
  log('== one loop cycle on a 100,000-item pool');
  out.cycle = await runCycleBench({ items: Number(f['cycle-items'] ?? 100_000) });
  md.push('', `### Loop cycle (${fmt.int(out.cycle.items)} pool items, ${fmt.int(out.cycle.labels)} labels, ${fmt.int(out.cycle.evalItems)} eval items)`, '', cycleTable(out.cycle));
}
if (f.profile) {
  const { profileImport } = await import('./profile-import.js');
  const { profileTable } = await import('./cpuprofile-top.js');
  log('== CPU profile of a 50,000-line import');
  out.profile = await profileImport({ lines: 50_000, top: 15 });
  md.push('', '### Import CPU profile, self time (50,000 lines)', '', profileTable(out.profile.self, { md: true }));
}

writeFileSync(join(OUT, 'results.json'), JSON.stringify(out, null, 2));
writeFileSync(join(OUT, 'summary.md'), md.join('\n') + '\n');

console.log(`\n${md[0]}`);
if (out.import) {
  console.log(`\nIMPORT (real CLI, fresh db; floor = read + JSON.parse only; medians of ${runs} runs)`);
  console.log(importTable(out.import));
  for (const l of importVerdict(out.import)) console.log(`  ${l}`);
}
if (out.listing) {
  console.log(`\nLISTING (${fmt.int(out.listing.items)} items, autocannon ${out.listing.connections} connections x ${out.listing.duration} s on 127.0.0.1, medians of ${out.listing.runs} runs)`);
  console.log(listingTable(out.listing));
  console.log(`  server peak RSS ${fmt.mib(out.listing.serverPeakRssKiB)}`);
  console.log(sequentialTable(out.listing));
}
if (out.importWorkers) {
  console.log('\nIMPORT, PARSE THREADS (QUORUM_IMPORT_WORKERS)');
  console.log(workersTable(out.importWorkers));
}
if (out.agreement) {
  console.log('\nAGREEMENT');
  console.log(agreementTable(out.agreement));
}
if (out.annotate) {
  console.log(`\nANNOTATION QUEUE (${fmt.int(out.annotate.items)} items, ${out.annotate.annotators} concurrent annotators on 127.0.0.1, medians of ${runs} runs)`);
  console.log(annotateTable(out.annotate));
  for (const l of annotateVerdict(out.annotate)) console.log(`  ${l}`);
}
if (out.scoring) {
  const s = out.scoring;
  console.log(`\nSCORING (${fmt.int(s.items)} items × ${s.dim} features, ${s.classes} classes, TF.js ${s.backend}; each run a child process; medians of ${runs} runs)`);
  console.log(scoringTable(s));
  console.log(stagesTable(s));
  console.log(trainTable(s));
  console.log(serveTable(s));
  for (const l of scoringVerdict(s)) console.log(`  ${l}`);
}
if (out.strategies) {
  console.log(`\nQUERY STRATEGIES (registry calls; uncertainty: medians of ${out.strategies.uncertainty.runs} runs after 2 warm-ups, floor in the same run; diversity: 1 run each in a child, peak RSS)`);
  console.log(strategiesTable(out.strategies));
}
if (out.profile) {
  const { profileTable } = await import('./cpuprofile-top.js');
  console.log(`\nIMPORT CPU PROFILE (self time, 50,000 lines; ${out.profile.file})`);
  console.log(profileTable(out.profile.self));
}
console.log(`\nwritten: ${join(OUT, 'results.json')}, ${join(OUT, 'summary.md')}`);
