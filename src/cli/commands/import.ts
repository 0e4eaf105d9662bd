import { existsSync, statSync, createWriteStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { SPLITS, type Split } from '../../core/labels.js';
import { UsageError } from '../../core/errors.js';
import type { ImportJobParams } from '../../modules/items/import/import.job.js';
import type { ImportSummary } from '../../modules/items/import/import.service.js';
import { formatFromName, IMPORT_FORMATS, type ImportFormat } from '../../modules/items/import/sources.js';
import { resolveProject } from '../../modules/projects/index.js';
import { choice, JobFailedError, output, progressReporter, withCoreDeps, withDeps } from '../context.js';

interface ImportFlags {
  split: Split;
  labelSource: string;
  onError: 'abort' | 'skip';
  rejects?: string;
  upsert?: boolean;
  format?: ImportFormat;
}

function summaryText(s: ImportSummary, rejectsFile: string | undefined): string {
  const parts = [`imported ${s.records - s.rejected} of ${s.records} records: ${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged; ${s.annotationsAdded} annotations added`];
  if (s.rejected > 0) parts.push(`${s.rejected} rejected${rejectsFile ? ` (reasons in ${rejectsFile})` : ''}`);
  for (const r of s.rejects.slice(0, 5)) parts.push(`  line ${r.line}: ${r.field ? `${r.field}: ` : ''}${r.error}`);
  return parts.join('\n');
}

export function importCommands(program: Command): void {
  program
    .command('import')
    .description('import items (and their labels) from JSONL, a JSON array or CSV (gzip accepted)')
    .argument('<project>', 'project name or id')
    .argument('<file>', 'the file to import')
    .option('--split <split>', `where the items go: ${SPLITS.join('|')}`, choice('--split', SPLITS), 'pool')
    .option('--label-source <name>', 'annotator name for the "label" field', 'imported')
    .option('--on-error <mode>', 'abort: one bad line imports nothing; skip: import the valid lines', choice('--on-error', ['abort', 'skip'] as const), 'abort')
    .option('--rejects <file>', 'with --on-error skip: write each rejected line and its reason here (JSONL)')
    .option('--upsert', 'replace items and labels that changed instead of failing')
    .option('--format <format>', `${IMPORT_FORMATS.join('|')} (default: from the file name)`, choice('--format', IMPORT_FORMATS))
    .action(async (ref: string, file: string, o: ImportFlags, cmd: Command) => {
      const path = resolve(file);
      if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`${file}: no such file`);
      if (o.rejects && o.onError !== 'skip') throw new UsageError('--rejects needs --on-error skip');
      await withCoreDeps(cmd, async (deps) => {
        const project = resolveProject(deps, ref);
        const params: ImportJobParams = {
          project: project.id, file: path, sourceName: basename(path), format: o.format ?? formatFromName(path) ?? 'jsonl',
          split: o.split, labelSource: o.labelSource, onError: o.onError, upsert: !!o.upsert,
          ...(o.rejects ? { rejectsFile: resolve(o.rejects) } : {}),
        };
        const progress = progressReporter(cmd, `importing ${basename(path)}`, 'bytes');
        const job = await deps.runner.runInline('import', project.id, params, (d, t) => progress.update(d, t));
        progress.stop();
        if (job.status !== 'succeeded') throw new JobFailedError(job.error ?? `import ${job.status}`);
        const summary = job.result as unknown as ImportSummary;
        output(cmd, { jobId: job.id, ...summary }, () => summaryText(summary, o.rejects));
      });
    });

  program
    .command('export')
    .description('export every item with its annotations, in the import format')
    .argument('<project>', 'project name or id')
    .option('--format <format>', 'jsonl|csv (default: from --out, else jsonl)', choice('--format', ['jsonl', 'csv'] as const))
    .option('--out <file>', 'write here instead of standard output')
    .option('--predictions', "add each item's current prediction: {modelVersion, label, probabilities}")
    .action(async (ref: string, o: { format?: 'jsonl' | 'csv'; out?: string; predictions?: boolean }, cmd: Command) => {
      const format = o.format ?? (o.out ? formatFromName(o.out) : undefined) ?? 'jsonl';
      const { exportItems } = await import('../../modules/items/items.service.js');
      await withDeps(cmd, async (deps) => {
        const project = resolveProject(deps, ref);
        const target = o.out ? createWriteStream(resolve(o.out)) : process.stdout;
        await pipeline(Readable.from(exportItems(deps, project.id, format, { predictions: !!o.predictions })), target, { end: !!o.out });
        if (o.out) process.stderr.write(`exported project ${project.name} to ${o.out}\n`);
      });
    });
}
