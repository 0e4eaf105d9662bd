import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { SCALES, type Scale } from '../../core/labels.js';
import { AGREEMENT_METRICS, CONSENSUS_METHODS, WEIGHTS, computeAgreement, computeConsensus, type AgreementMetric, type ConsensusMethod, type MetricResult } from '../../modules/agreement/index.js';
import { choice, globals, output, table, whole, withDeps } from '../context.js';

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3));

function metricLine(m: MetricResult): (string | number)[] {
  return [m.metric, m.level, fmt(m.value), m.ci ? `[${fmt(m.ci[0])}, ${fmt(m.ci[1])}]` : '—', m.units, m.reason ?? ''];
}

export function agreementCommands(program: Command): void {
  program
    .command('agreement')
    .description('inter-annotator agreement over items with two or more annotations, with 95% bootstrap intervals')
    .argument('<project>', 'project name or id')
    .option('--metric <metric>', AGREEMENT_METRICS.join('|'), choice('--metric', AGREEMENT_METRICS))
    .option('--level <level>', `Krippendorff level: ${SCALES.join('|')} (default: the project's scale)`, choice('--level', SCALES))
    .option('--weights <weights>', `Cohen weights: ${WEIGHTS.join('|')}`, choice('--weights', WEIGHTS), 'none')
    .option('--resamples <n>', 'bootstrap resamples (0: no interval)', whole('--resamples', 0, 100_000), 1000)
    .option('--seed <n>', 'bootstrap seed', whole('--seed', 0, 2 ** 31 - 1), 1)
    .action(async (ref: string, o: { metric?: AgreementMetric; level?: Scale; weights: (typeof WEIGHTS)[number]; resamples: number; seed: number }, cmd: Command) => {
      await withDeps(cmd, (deps) => {
        const r = computeAgreement(deps, ref, { ...(o.metric ? { metric: o.metric } : {}), ...(o.level ? { level: o.level } : {}), weights: o.weights, resamples: o.resamples, seed: o.seed });
        if (o.metric) {
          const m = r.metrics[0]!;
          const data = { metric: m.metric, level: m.level, value: m.value, ...(m.reason ? { reason: m.reason } : {}), ci: m.ci, units: m.units, annotators: m.annotators };
          output(cmd, data, () => table([['METRIC', 'LEVEL', 'VALUE', '95% CI', 'UNITS', 'NOTE'], metricLine(m)]));
          return;
        }
        output(cmd, r, () =>
          [
            `agreement in ${r.project}: ${r.units} items with 2+ annotations, ${r.annotators} annotators (bootstrap: ${r.resamples} resamples, seed ${r.seed})`,
            table([['METRIC', 'LEVEL', 'VALUE', '95% CI', 'UNITS', 'NOTE'], ...r.metrics.map(metricLine)]),
            '',
            table([['LABEL', 'ALPHA', 'KAPPA'], ...r.perLabel.map((l) => [l.label, fmt(l.alpha), fmt(l.kappa)])]),
            '',
            table([['ANNOTATOR', 'ANNOTATIONS', 'MEAN PAIR KAPPA', 'VS CONSENSUS'], ...r.perAnnotator.map((a) => [a.annotator, a.annotations, fmt(a.meanPairwiseKappa), `${fmt(a.withConsensus.agreement)} (${a.withConsensus.units})`])]),
          ].join('\n'),
        );
      });
    });

  program
    .command('consensus')
    .description('the consensus label of every annotated item')
    .argument('<project>', 'project name or id')
    .option('--method <method>', CONSENSUS_METHODS.join('|'), choice('--method', CONSENSUS_METHODS), 'majority')
    .option('--seed <n>', 'seed for Dawid–Skene tie-breaking', whole('--seed', 0, 2 ** 31 - 1), 1)
    .option('--out <file>', 'write one JSON line per item here')
    .action(async (ref: string, o: { method: ConsensusMethod; seed: number; out?: string }, cmd: Command) => {
      await withDeps(cmd, async (deps) => {
        const r = computeConsensus(deps, ref, { method: o.method, seed: o.seed });
        if (o.out) {
          const out = createWriteStream(o.out);
          for (const item of r.items) out.write(JSON.stringify(item) + '\n');
          await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
        }
        const { items, ...summary } = r;
        output(cmd, o.out || !globals(cmd).json ? summary : r, () =>
          [
            `consensus in ${r.project} by ${r.method}: ${r.summary.resolved} of ${r.summary.items} annotated items resolved, ${r.summary.unresolved} unresolved (ties, for review), ${r.summary.gold} gold` +
              (r.iterations !== undefined ? `; EM ${r.converged ? 'converged' : 'stopped'} after ${r.iterations} iterations` : ''),
            table([['ANNOTATOR', 'ANNOTATIONS', 'EST. ACCURACY'], ...r.annotators.map((a) => [a.annotator, a.annotations, fmt(a.accuracy)])]),
            o.out ? `items written to ${o.out}` : `(${items.length} items: use --out FILE or --json for the list)`,
          ].join('\n'),
        );
      });
    });
}
