import { createWriteStream, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { SPLITS } from '../../../core/labels.js';
import type { JobRunner } from '../../jobs/index.js';
import { discardImport, importItems, type ImportDeps } from './import.service.js';
import { deleteImportRows, failedImportsWithRows, importsOfJob } from './import.repo.js';
import { IMPORT_FORMATS } from './sources.js';

export const importJobParamsSchema = z.object({
  project: z.number().int(),
  file: z.string(),
  sourceName: z.string(),
  format: z.enum(IMPORT_FORMATS),
  split: z.enum(SPLITS),
  labelSource: z.string().min(1).max(128),
  onError: z.enum(['abort', 'skip']),
  upsert: z.boolean(),
  rejectsFile: z.string().optional(),
  /** Uploaded bodies are temporary files: removed when the job ends. */
  deleteFileAfter: z.boolean().default(false),
});
export type ImportJobParams = z.input<typeof importJobParamsSchema>;

/** Finishes a clean-up that a crash interrupted: what a failed import wrote is removed. */
export function recoverImports(deps: ImportDeps): void {
  for (const id of failedImportsWithRows(deps.db)) deleteImportRows(deps.db, id, 'all');
}

export function registerImportJob(runner: JobRunner, deps: ImportDeps & { maxLineBytes: number; importWorkers: number | 'auto' }): void {
  runner.register('import', {
    run: async (ctx) => {
      const p = importJobParamsSchema.parse(ctx.params);
      const total = statSync(p.file).size;
      ctx.progress(0, total, 'bytes');
      const rejects = p.rejectsFile ? createWriteStream(p.rejectsFile) : undefined;
      try {
        const summary = await importItems(deps, {
          project: p.project,
          source: p.file,
          sourceName: p.sourceName,
          format: p.format,
          split: p.split,
          labelSource: p.labelSource,
          onError: p.onError,
          upsert: p.upsert,
          maxLineBytes: deps.maxLineBytes,
          parseWorkers: deps.importWorkers,
          ...(rejects ? { rejects } : {}),
          jobId: ctx.jobId,
          signal: ctx.signal,
          progress: (bytes) => ctx.progress(bytes, total, 'bytes'),
        });
        ctx.progress(total, total, 'bytes');
        return { ...summary };
      } finally {
        if (rejects) {
          rejects.end();
          await finished(rejects);
        }
        if (p.deleteFileAfter) await rm(p.file, { force: true });
      }
    },
    cleanupAbandoned: (job) => {
      for (const imp of importsOfJob(deps.db, job.id)) if (imp.state === 'staging') discardImport(deps, imp.id);
      const p = importJobParamsSchema.safeParse(job.params);
      if (p.success && p.data.deleteFileAfter) void rm(p.data.file, { force: true });
    },
  });
}
