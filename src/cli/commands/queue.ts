import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { updateSettings, type ProjectSettings } from '../../modules/projects/index.js';
import { queueStatus } from '../../modules/queue/index.js';
import { choice, output, table, withDeps } from '../context.js';

function num(flag: string, min: number, max: number, integer: boolean) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new UsageError(`${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${v}"`);
    }
    return n;
  };
}

const onOff = (flag: string) => (v: string): boolean => {
  if (v === 'on' || v === 'true') return true;
  if (v === 'off' || v === 'false') return false;
  throw new UsageError(`${flag} must be on or off, got "${v}"`);
};

export function queueCommands(program: Command): void {
  const project = program.commands.find((c) => c.name() === 'project')!;
  project
    .command('configure')
    .description('change project settings: overlap, agreement sample, leases, gold items, consensus, the retrain loop')
    .argument('<project>', 'project name or id')
    .option('--overlap <n>', 'annotations wanted per item (1-50)', num('--overlap', 1, 50, true))
    .option('--agreement-sample <share>', 'share of items that get --agreement-overlap annotators (0-1)', num('--agreement-sample', 0, 1, false))
    .option('--agreement-overlap <n>', 'annotators on the agreement sample (2-50)', num('--agreement-overlap', 2, 50, true))
    .option('--lease-seconds <n>', 'how long a claimed task is held (10-604800)', num('--lease-seconds', 10, 604_800, true))
    .option('--gold-rate <share>', 'share of tasks that are gold items (0-1)', num('--gold-rate', 0, 1, false))
    .option('--gold-threshold <share>', 'flag annotators below this gold accuracy (0-1)', num('--gold-threshold', 0, 1, false))
    .option('--max-per-annotator <n>', 'tasks one annotator may do (0: no limit)', num('--max-per-annotator', 0, 1e9, true))
    .option('--suggestions <on|off>', "show the model's suggestion on the labeling page", onOff('--suggestions'))
    .option('--consensus <method>', 'majority|dawid-skene', choice('--consensus', ['majority', 'dawid-skene'] as const))
    .option('--review-below <share>', 'items whose majority share is below this go to review (0-1; 1: any disagreement)', num('--review-below', 0.01, 1, false))
    .option('--retrain-every <n|off>', 'retrain after this many new pool labels', (v: string) => (v === 'off' ? null : num('--retrain-every', 1, 1_000_000, true)(v)))
    .option('--retrain-cron <expr|off>', 'also retrain on this schedule while the server runs, e.g. "0 3 * * *"', (v: string) => (v === 'off' ? null : v))
    .option('--retrain-kind <kind>', 'softmax|mlp', choice('--retrain-kind', ['softmax', 'mlp'] as const))
    .option('--promotion <policy>', 'auto|always|never', choice('--promotion', ['auto', 'always', 'never'] as const))
    .option('--loop-strategy <id>', 'strategy of the batch selected after a promotion')
    .option('--loop-batch-size <n>', 'size of that batch (0: none)', num('--loop-batch-size', 0, 100_000, true))
    .option('--stop-threshold <kappa>', 'stabilizing-predictions threshold (0-1)', num('--stop-threshold', 0, 1, false))
    .action(async (ref: string, o: Record<string, unknown>, cmd: Command) => {
      const patch: Partial<ProjectSettings> = {
        ...(o.overlap !== undefined ? { overlap: o.overlap as number } : {}),
        ...(o.agreementSample !== undefined ? { agreementSample: o.agreementSample as number } : {}),
        ...(o.agreementOverlap !== undefined ? { agreementOverlap: o.agreementOverlap as number } : {}),
        ...(o.leaseSeconds !== undefined ? { leaseSeconds: o.leaseSeconds as number } : {}),
        ...(o.goldRate !== undefined ? { goldRate: o.goldRate as number } : {}),
        ...(o.goldThreshold !== undefined ? { goldThreshold: o.goldThreshold as number } : {}),
        ...(o.maxPerAnnotator !== undefined ? { maxPerAnnotator: (o.maxPerAnnotator as number) || null } : {}),
        ...(o.suggestions !== undefined ? { showSuggestions: o.suggestions as boolean } : {}),
        ...(o.consensus !== undefined ? { consensusMethod: o.consensus as ProjectSettings['consensusMethod'] } : {}),
        ...(o.reviewBelow !== undefined ? { reviewBelowAgreement: o.reviewBelow as number } : {}),
        ...(o.retrainEvery !== undefined ? { retrainEveryNewLabels: o.retrainEvery as number | null } : {}),
        ...(o.retrainCron !== undefined ? { retrainCron: o.retrainCron as string | null } : {}),
        ...(o.retrainKind !== undefined ? { retrainKind: o.retrainKind as ProjectSettings['retrainKind'] } : {}),
        ...(o.promotion !== undefined ? { promotionPolicy: o.promotion as ProjectSettings['promotionPolicy'] } : {}),
        ...(o.loopStrategy !== undefined ? { loopStrategy: o.loopStrategy as string } : {}),
        ...(o.loopBatchSize !== undefined ? { loopBatchSize: o.loopBatchSize as number } : {}),
        ...(o.stopThreshold !== undefined ? { stopThreshold: o.stopThreshold as number } : {}),
      };
      if (Object.keys(patch).length === 0) throw new UsageError('nothing to change: give at least one option (see quorum project configure --help)');
      await withDeps(cmd, (deps) => {
        const p = updateSettings(deps, ref, patch);
        output(cmd, p.settings, () => `settings of ${p.name}:\n` + table(Object.entries(p.settings).map(([k, v]) => [k, JSON.stringify(v)])));
      });
    });

  const queue = program.command('queue').description('the annotation queue');
  queue
    .command('status')
    .description('open, leased and done tasks, by source; reviews')
    .argument('<project>', 'project name or id')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      await withDeps(cmd, (deps) => {
        const s = queueStatus(deps, ref);
        output(cmd, s, () =>
          [
            `queue of ${s.project}: ${s.open} open, ${s.leased} leased, ${s.done} done; ${s.notYetQueued} items not queued yet; reviews ${s.reviews.open} open, ${s.reviews.resolved} resolved`,
            table([['SOURCE', 'OPEN', 'LEASED', 'DONE'], ...Object.entries(s.bySource).map(([k, c]) => [k, c.open, c.leased, c.done])]),
          ].join('\n'),
        );
      });
    });
}
