// Wall time of one full loop cycle (train + evaluate + compare + re-score + select) on a
// pool of N items × 256 features (issue 7), next to each stage timed on its own.
//
//   npm run build && node bench/cycle.js [--items 100000] [--labels 5000] [--eval 2000]
//
// Data: 10 Gaussian classes in 256 dimensions (seeded), so accuracy is meaningful;
// `--labels` pool items carry a label, `--eval` labelled items form the eval split.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { ROOT, flags, fmt, isMain, log, machine, prng, table } from './lib.js';

const dist = (p) => join(ROOT, 'dist', 'src', p);

function* lines(n, labelled, seed, prefix) {
  const rand = prng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
  for (let i = 0; i < n; i++) {
    const c = i % 10;
    const f = new Array(256);
    for (let j = 0; j < 256; j++) f[j] = Number((normal() + (j % 10 === c ? 0.6 : 0)).toFixed(3));
    yield JSON.stringify({ id: `${prefix}${i}`, features: f, ...(i < labelled ? { label: `l${c}` } : {}) }) + '\n';
  }
}

export async function runCycleBench({ items = 100_000, labels = 5_000, evalItems = 2_000 } = {}) {
  const { loadConfig } = await import(dist('config/index.js'));
  const { buildDeps } = await import(dist('deps.js'));
  const { createProject, updateSettings } = await import(dist('modules/projects/index.js'));
  const { importItems } = await import(dist('modules/items/index.js'));
  const { trainNow } = await import(dist('modules/training/index.js'));
  const { scoreNow } = await import(dist('modules/scoring/index.js'));
  const { createQueryBatch } = await import(dist('modules/queue/index.js'));
  const { evaluateVersion, compareVersions, RETRAIN_JOB } = await import(dist('modules/evaluation/index.js'));
  const dir = mkdtempSync(join(tmpdir(), 'quorum-cycle-'));
  const deps = buildDeps(loadConfig({}, { dbPath: join(dir, 'q.db'), logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  const timed = async (fn) => {
    const t0 = performance.now();
    const r = await fn();
    return { ms: performance.now() - t0, r };
  };
  try {
    createProject(deps, { name: 'cycle', labels: Array.from({ length: 10 }, (_, i) => `l${i}`) });
    // The loop's batch is margin over the champion's predictions, 100 items.
    updateSettings(deps, 'cycle', { loopBatchSize: 100, loopStrategy: 'margin', promotionPolicy: 'always' });
    const imp = (split, gen) => importItems(deps, { project: 'cycle', source: Readable.from(gen), sourceName: split, format: 'jsonl', split, labelSource: 'imported', onError: 'abort', upsert: false, maxLineBytes: 1 << 24 });
    log(`cycle: importing ${fmt.int(items)} pool items (${fmt.int(labels)} labelled) and ${fmt.int(evalItems)} eval items`);
    await imp('pool', lines(items, labels, 1, 'p'));
    await imp('eval', lines(evalItems, evalItems, 2, 'e'));

    // Each stage alone (the first cycle has no champion to compare with).
    const train = await timed(() => trainNow(deps, 'cycle', { kind: 'softmax', seed: 1 }));
    const evaluate = await timed(() => evaluateVersion(deps, 'cycle', 1));
    const score = await timed(() => scoreNow(deps, 'cycle', { modelVersion: 1 }));
    const select = await timed(() => createQueryBatch(deps, 'cycle', { strategy: 'margin', size: 100, seed: 1 }));
    await trainNow(deps, 'cycle', { kind: 'softmax', seed: 2 });
    const compare = await timed(() => compareVersions(deps, 'cycle', 1, 2));

    // Full cycles as the retrain job runs them: the first promotes its model, the second is compared with it.
    const cycles = [];
    for (let c = 0; c < 2; c++) {
      const t = await timed(() => deps.runner.runInline(RETRAIN_JOB, 1, { trigger: 'bench', minNewLabels: 0 }));
      if (t.r.status !== 'succeeded') throw new Error(`retrain failed: ${t.r.error}`);
      cycles.push({ ms: t.ms, result: t.r.result });
    }
    return {
      items, labels, evalItems,
      stages: {
        trainMs: train.ms, trainReport: train.r.job.result?.report, evaluateMs: evaluate.ms, accuracy: evaluate.r.metrics.accuracy.value,
        scoreMs: score.ms, itemsPerSecond: score.r.job.result?.itemsPerSecond, selectMs: select.ms, compareMs: compare.ms,
      },
      cycles: cycles.map((c) => ({ ms: c.ms, promoted: c.result.promoted, modelVersion: c.result.modelVersion, accuracy: c.result.evaluation?.accuracy ?? null })),
    };
  } finally {
    await deps.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function cycleTable(r) {
  const s = r.stages;
  return table([
    ['step', 'wall time', 'note'],
    ['train softmax', fmt.ms(s.trainMs), `${fmt.int(r.labels)} labels × 256, ${s.trainReport?.epochsRun ?? '?'} epochs`],
    ['evaluate (eval split + stop set)', fmt.ms(s.evaluateMs), `${fmt.int(r.evalItems)} eval items, accuracy ${s.accuracy?.toFixed(3)}`],
    ['compare two versions', fmt.ms(s.compareMs), 'McNemar + 2 × 2,000 bootstrap resamples'],
    ['re-score the pool', fmt.ms(s.scoreMs), `${fmt.int(r.items + r.evalItems)} items, ${fmt.int(s.itemsPerSecond ?? 0)} items/s`],
    ['select a margin batch of 100', fmt.ms(s.selectMs), ''],
    ...r.cycles.map((c, i) => [`full cycle ${i + 1} (retrain job)`, fmt.ms(c.ms), `version ${c.modelVersion}, ${c.promoted ? 'promoted' : 'kept'}, accuracy ${c.accuracy?.toFixed(3) ?? '—'}`]),
  ]);
}

if (isMain(import.meta.url)) {
  const f = flags();
  const r = await runCycleBench({ items: Number(f.items ?? 100_000), labels: Number(f.labels ?? 5_000), evalItems: Number(f.eval ?? 2_000) });
  const m = machine();
  console.log(`machine: ${m.nproc} CPUs, node ${m.node}`);
  console.log(cycleTable(r));
  console.log(JSON.stringify(r));
}
