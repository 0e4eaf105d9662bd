import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { createQueryBatch } from '../../modules/queue/index.js';
import { STRATEGY_IDS } from '../../modules/strategies/index.js';
import { choice, output, table, whole, withDeps } from '../context.js';

function share(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--exploration must be a number from 0 to 1, got "${v}"`);
  return n;
}

export function selectCommands(program: Command): void {
  program
    .command('select')
    .description('pick a query batch with a strategy from the current predictions, store it and queue it for annotators')
    .argument('<project>', 'project name or id')
    .requiredOption('--strategy <id>', STRATEGY_IDS.join('|'), choice('--strategy', STRATEGY_IDS))
    .requiredOption('--size <n>', 'items in the batch', whole('--size', 1, 100_000))
    .option('--seed <n>', 'seed (default: random, stored with the batch)', whole('--seed', 0, 2 ** 31 - 1))
    .option('--exploration <share>', 'share of uniformly random pool items', share, 0.1)
    .option('--group-by <field>', 'stratified: the meta field')
    .option('--dry-run', 'show the picks without storing or queueing them')
    .option('--show <n>', 'how many picks to print', whole('--show', 0, 100_000), 10)
    .action(async (ref: string, o: { strategy: string; size: number; seed?: number; exploration: number; groupBy?: string; dryRun?: boolean; show: number }, cmd: Command) => {
      await withDeps(cmd, async (deps) => {
        const body = { strategy: o.strategy, size: o.size, exploration: o.exploration, dryRun: !!o.dryRun, ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.groupBy ? { groupBy: o.groupBy } : {}) };
        const b = await createQueryBatch(deps, ref, body);
        output(cmd, b, () =>
          [
            `${b.id === null ? 'dry run: would pick' : `query batch ${b.id}: picked`} ${b.picked} of ${String(b.params.candidates)} candidates with ${b.strategy} (seed ${b.seed}${b.modelVersion ? `, model version ${b.modelVersion}` : ''}); ${b.items.filter((i) => i.explore).length} exploration picks${b.id === null ? '' : `; ${b.queued} annotation slots queued`}`,
            ...(o.show > 0 && b.items.length ? [table([['RANK', 'ITEM', 'SCORE', 'EXPLORE'], ...b.items.slice(0, o.show).map((i) => [i.rank, i.id, i.score.toFixed(4), i.explore ? 'yes' : ''])])] : []),
          ].join('\n'),
        );
      });
    });
}
