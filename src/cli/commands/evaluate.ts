import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { compareVersions, evaluateVersion, RETRAIN_JOB, stoppingSignal, type Comparison, type RetrainResult } from '../../modules/evaluation/index.js';
import { resolveProject } from '../../modules/projects/index.js';
import { choice, JobFailedError, output, progressReporter, table, whole, withDeps } from '../context.js';

const f = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : '—');
const ci = (c: [number, number] | null) => (c ? `[${c[0].toFixed(4)}, ${c[1].toFixed(4)}]` : '—');
const valueOf = (m: unknown) => (m as { value?: number | null } | undefined)?.value ?? null;

function comparisonText(c: Comparison): string {
  return [
    `version ${c.b} vs ${c.a} on ${c.evalItems} eval items`,
    table([
      ['METRIC', `V${c.a}`, `V${c.b}`, 'B − A', '95% CI'],
      ['accuracy', f(c.accuracy.a), f(c.accuracy.b), f(c.accuracy.difference), ci(c.accuracy.ci)],
      ['macro-F1', f(c.macroF1.a), f(c.macroF1.b), f(c.macroF1.difference), ci(c.macroF1.ci)],
    ]),
    `McNemar exact: ${c.mcnemar.b} items only V${c.a} got right, ${c.mcnemar.c} only V${c.b}; p = ${c.mcnemar.pValue.toPrecision(3)}`,
  ].join('\n');
}

function retrainText(r: RetrainResult): string {
  if (r.status !== 'trained') return `${r.status}: ${r.reason}`;
  return [
    `trained version ${r.modelVersion} on ${r.trainingLabels} labels (${r.newLabels} new)`,
    r.evaluation ? `eval: accuracy ${f(r.evaluation.accuracy)}, macro-F1 ${f(r.evaluation.macroF1)} on ${r.evaluation.evalItems} items` : 'eval: —',
    ...(r.comparison ? [comparisonText(r.comparison)] : []),
    `${r.promoted ? 'promoted' : 'not promoted'}: ${r.reason}; champion is version ${r.champion ?? '—'}`,
    ...(r.scoringRun ? [`re-scored the pool (scoring run ${r.scoringRun})${r.queryBatch ? `, queued query batch ${r.queryBatch}` : ''}`] : []),
  ].join('\n');
}

export function evaluateCommands(program: Command): void {
  program
    .command('retrain')
    .description('for cron and CI: train on new labels, evaluate on the eval split, compare with the champion, maybe promote, re-score and select')
    .argument('<project>', 'project name or id')
    .option('--min-new-labels <n>', 'do nothing unless this many pool labels arrived since the last trained version', whole('--min-new-labels', 0, 100_000_000), 1)
    .option('--promote <policy>', "auto|always|never (default: the project's promotionPolicy)", choice('--promote', ['auto', 'always', 'never'] as const))
    .action(async (ref: string, o: { minNewLabels: number; promote?: 'auto' | 'always' | 'never' }, cmd: Command) => {
      await withDeps(cmd, async (deps) => {
        const project = resolveProject(deps, ref);
        const active = deps.runner.activeJob(RETRAIN_JOB, project.id);
        if (active) {
          const r = { status: 'already-running', jobId: active.id, reason: `a retrain of ${project.name} is already running (job ${active.id})` };
          output(cmd, r, () => r.reason);
          return;
        }
        const progress = progressReporter(cmd, 'retraining', 'items');
        const job = await deps.runner.runInline(RETRAIN_JOB, project.id, { trigger: 'cli', minNewLabels: o.minNewLabels, ...(o.promote ? { promote: o.promote } : {}) }, (d, t) => progress.update(d, t));
        progress.stop();
        if (job.status !== 'succeeded') throw new JobFailedError(job.error ?? `retrain ${job.status}`);
        const r = job.result as unknown as RetrainResult;
        output(cmd, r, () => retrainText(r));
      });
    });

  program
    .command('evaluate')
    .description('evaluate a version on the eval split (consensus labels), or compare two versions on the same items')
    .argument('<project>', 'project name or id')
    .option('--model-version <v>', 'version to evaluate (default: the latest)', whole('--model-version', 1, 2 ** 31 - 1))
    .option('--compare <a,b>', 'two versions, e.g. 1,2: McNemar exact test and paired bootstrap intervals of B − A')
    .option('--stopping', 'show the stabilizing-predictions stopping signal')
    .action(async (ref: string, o: { modelVersion?: number; compare?: string; stopping?: boolean }, cmd: Command) => {
      await withDeps(cmd, async (deps) => {
        if (o.stopping) {
          const s = stoppingSignal(deps, ref);
          output(cmd, s, () =>
            [
              table([['FROM', 'TO', 'STOP-SET ITEMS', 'AGREEMENT', 'KAPPA'], ...s.pairs.map((p) => [p.from, p.to, p.items, f(p.agreement), f(p.kappa)])]),
              s.stop ? `predictions have stabilised (mean kappa of the last ${s.window} ≥ ${s.threshold}): more labels are unlikely to change the model` : 'keep labelling: predictions still change between versions',
            ].join('\n'),
          );
          return;
        }
        if (o.compare) {
          const m = /^(\d+),(\d+)$/.exec(o.compare);
          if (!m) throw new UsageError(`--compare takes two version numbers like 1,2, got "${o.compare}"`);
          const c = await compareVersions(deps, ref, Number(m[1]), Number(m[2]));
          output(cmd, c, () => comparisonText(c));
          return;
        }
        const e = await evaluateVersion(deps, ref, o.modelVersion);
        const iv = (e.metrics.intervals ?? {}) as Record<string, { ci: [number, number] | null } | undefined>;
        output(cmd, e, () =>
          [
            `version ${e.modelVersion} on ${e.evalItems} eval items (trained on ${e.trainingLabels ?? '—'} labels)`,
            table([
              ['METRIC', 'VALUE', '95% CI'],
              ['accuracy', f(valueOf(e.metrics.accuracy)), ci(iv.accuracy?.ci ?? null)],
              ['macro-F1', f(valueOf(e.metrics.macroF1)), ci(iv.macroF1?.ci ?? null)],
              ...(e.metrics.logLoss ? [['log loss', f(valueOf(e.metrics.logLoss)), '']] : []),
              ...(e.metrics.ece ? [['ECE (15 bins)', f(valueOf(e.metrics.ece)), '']] : []),
            ]),
          ].join('\n'),
        );
      });
    });
}
