import type { Command } from 'commander';
import { SCALES } from '../../core/labels.js';
import { createProject, deleteProject, getProject, listProjects, type Project } from '../../modules/projects/index.js';
import { choice, output, parseLabels, table, withCoreDeps } from '../context.js';

function describeProject(p: Project): string {
  return [
    `project ${p.name} (id ${p.id})`,
    p.description ? `  ${p.description}` : null,
    `  labels      ${p.labels.join(', ')}${p.multiLabel ? '  (multi-label)' : ''}`,
    `  scale       ${p.scale}`,
    `  features    ${p.featureDim ?? 'none'}`,
    `  items       ${p.counts.items} (pool ${p.counts.pool}, eval ${p.counts.eval}, gold ${p.counts.gold}), ${p.counts.labeled} labelled`,
    `  annotations ${p.counts.annotations}`,
  ]
    .filter((l) => l !== null)
    .join('\n');
}

export function projectCommands(program: Command): void {
  const project = program.command('project').description('create and inspect projects');

  project
    .command('create')
    .description('create a project with an ordered label set')
    .argument('<name>', 'project name (letters, digits, _ . -)')
    .requiredOption('--labels <labels>', 'comma-separated labels in order (or a JSON array)', parseLabels)
    .option('--multi-label', 'items may carry several labels')
    .option('--scale <scale>', `measurement scale: ${SCALES.join('|')}`, choice('--scale', SCALES), 'nominal')
    .option('--description <text>', 'what the project is about', '')
    .action(async (name: string, o: { labels: string[]; multiLabel?: boolean; scale: (typeof SCALES)[number]; description: string }, cmd: Command) => {
      await withCoreDeps(cmd, (deps) => {
        const p = createProject(deps, { name, labels: o.labels, multiLabel: !!o.multiLabel, scale: o.scale, description: o.description });
        output(cmd, p, () => `created ${describeProject(p)}`);
      });
    });

  project
    .command('list')
    .description('list projects')
    .action(async (_o: unknown, cmd: Command) => {
      await withCoreDeps(cmd, (deps) => {
        const ps = listProjects(deps);
        output(cmd, ps, () =>
          ps.length === 0
            ? 'no projects yet: quorum project create NAME --labels a,b'
            : table([['ID', 'NAME', 'LABELS', 'ITEMS', 'LABELLED'], ...ps.map((p) => [p.id, p.name, p.labels.length, p.counts.items, p.counts.labeled])]),
        );
      });
    });

  project
    .command('show')
    .description('show a project and its counts')
    .argument('<project>', 'project name or id')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      await withCoreDeps(cmd, (deps) => {
        const p = getProject(deps, ref);
        output(cmd, p, () => describeProject(p));
      });
    });

  project
    .command('delete')
    .description('delete a project with all its items and annotations')
    .argument('<project>', 'project name or id')
    .requiredOption('--yes', 'confirm the deletion')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      await withCoreDeps(cmd, (deps) => {
        const p = getProject(deps, ref);
        deleteProject(deps, p.id);
        output(cmd, { deleted: p.name }, () => `deleted project ${p.name}`);
      });
    });
}
