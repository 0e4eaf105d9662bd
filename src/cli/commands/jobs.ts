import type { Command } from 'commander';
import { JOB_STATUSES, type JobStatus } from '../../db/schema/jobs.js';
import type { Job } from '../../modules/jobs/index.js';
import { resolveProject } from '../../modules/projects/index.js';
import { UsageError } from '../../core/errors.js';
import { choice, output, table, withDeps } from '../context.js';

function jobId(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`job id must be a number, got "${value}"`);
  return Number(value);
}

function describeJob(j: Job): string {
  const progress = j.progress.total ? `${j.progress.done}/${j.progress.total} ${j.progress.unit ?? ''}` : `${j.progress.done}`;
  return [
    `job ${j.id} (${j.type}${j.projectId ? `, project ${j.projectId}` : ''}): ${j.status}`,
    `  progress  ${progress}`,
    `  created   ${j.createdAt}${j.startedAt ? `, started ${j.startedAt}` : ''}${j.finishedAt ? `, finished ${j.finishedAt}` : ''}`,
    j.error ? `  error     ${j.error}` : null,
    j.result ? `  result    ${JSON.stringify(j.result)}` : null,
  ]
    .filter((l) => l !== null)
    .join('\n');
}

export function jobCommands(program: Command): void {
  const jobs = program.command('jobs').description('list, show and cancel long-running jobs');

  jobs
    .command('list', { isDefault: true })
    .description('list jobs, newest first')
    .option('--project <project>', 'only this project')
    .option('--status <status>', JOB_STATUSES.join('|'), choice('--status', JOB_STATUSES))
    .option('--limit <n>', 'how many', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000');
      return n;
    }, 20)
    .action(async (o: { project?: string; status?: JobStatus; limit: number }, cmd: Command) => {
      await withDeps(cmd, (deps) => {
        const projectId = o.project ? resolveProject(deps, o.project).id : undefined;
        const list = deps.runner.list({ ...(projectId ? { projectId } : {}), ...(o.status ? { status: o.status } : {}), limit: o.limit });
        output(cmd, list, () =>
          list.length === 0
            ? 'no jobs'
            : table([['ID', 'TYPE', 'PROJECT', 'STATUS', 'CREATED', 'ERROR'], ...list.map((j) => [j.id, j.type, j.projectId, j.status, j.createdAt, j.error ?? ''])]),
        );
      });
    });

  jobs
    .command('show')
    .description('show one job')
    .argument('<id>', 'job id', jobId)
    .action(async (id: number, _o: unknown, cmd: Command) => {
      await withDeps(cmd, (deps) => {
        const j = deps.runner.get(id);
        output(cmd, j, () => describeJob(j));
      });
    });

  jobs
    .command('cancel')
    .description('cancel a queued or running job (also one running in the server)')
    .argument('<id>', 'job id', jobId)
    .action(async (id: number, _o: unknown, cmd: Command) => {
      await withDeps(cmd, (deps) => {
        const j = deps.runner.cancel(id);
        output(cmd, j, () => `cancellation of job ${j.id} requested (${j.status})`);
      });
    });
}
