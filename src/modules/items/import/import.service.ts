import { statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { Clock } from '../../../core/clock.js';
import { CancelledError, ConflictError, ImportLineError, ValidationError } from '../../../core/errors.js';
import type { Split } from '../../../core/labels.js';
import type { Db } from '../../../db/index.js';
import { runInTransaction } from '../../../db/index.js';
import { resolveProject } from '../../projects/index.js';
import { deleteOrphanImportedAnnotators, findUserByName, insertUser } from '../../users/index.js';
import {
  ImportWriter,
  applyStagedChanges,
  insertImportRow,
  setImportState,
  setProjectFeatureDim,
  stagingImportOf,
  deleteImportRows,
} from './import.repo.js';
import { parsedRecords, parseWorkersFor } from './parsed-records.js';
import type { RecordContext, ValidRecord } from './record.js';
import type { ImportFormat } from './sources.js';

export interface ImportDeps {
  db: Db;
  clock: Clock;
}

export type OnError = 'abort' | 'skip';

export interface ImportOptions {
  project: string | number;
  source: string | Readable;
  /** Shown in every error message ("items.jsonl:12: …"). */
  sourceName: string;
  format: ImportFormat;
  split: Split;
  labelSource: string;
  onError: OnError;
  upsert: boolean;
  maxLineBytes: number;
  /** Where `skip` writes each rejected line with its reason (JSONL). */
  rejects?: Writable;
  jobId?: number | null;
  signal?: AbortSignal;
  progress?: (bytesRead: number) => void;
  /** Threads parsing JSONL files over 8 MiB (0: this thread); default 'auto' (QUORUM_IMPORT_WORKERS). */
  parseWorkers?: number | 'auto';
}

export interface Reject {
  line: number;
  field?: string;
  error: string;
}

export interface ImportSummary {
  importId: number;
  records: number;
  inserted: number;
  updated: number;
  unchanged: number;
  annotationsAdded: number;
  rejected: number;
  /** The first rejects (all of them go to the rejects file). */
  rejects: Reject[];
  featureDim: number | null;
}

const BATCH_RECORDS = 2_000;
const BATCH_BYTES = 8 * 1024 * 1024;
const REJECTS_KEPT = 100;

/** A line waiting for its batch: a record to write or the reason it is rejected, kept in line order. */
interface Pending {
  line: number;
  rec?: ValidRecord;
  error?: { field?: string; reason: string };
}

/**
 * Imports items and their labels. Rows are written in small transactions but stay
 * invisible until the import commits, so `abort` is all-or-nothing without holding
 * the write lock for the whole file, and a crash leaves nothing visible.
 */
export async function importItems(deps: ImportDeps, opts: ImportOptions): Promise<ImportSummary> {
  const project = resolveProject(deps, opts.project);
  const importId = runInTransaction(deps.db, () => {
    const running = stagingImportOf(deps.db, project.id);
    if (running) {
      throw new ConflictError(
        `another import (job ${running.jobId ?? '?'}) is still running on project "${project.name}"; wait for it or cancel it`,
      );
    }
    return insertImportRow(deps.db, project.id, opts.jobId ?? null, opts.sourceName, deps.clock.now());
  });

  const ctx: RecordContext = {
    labels: project.labels,
    labelIndex: new Map(project.labels.map((l, i) => [l, i])),
    multiLabel: project.multiLabel,
    defaultSplit: opts.split,
    labelSource: opts.labelSource,
    featureDim: project.featureDim,
  };
  const writer = new ImportWriter(deps.db, project.id, importId);
  const annotatorIds = new Map<string, number>();
  const summary: ImportSummary = {
    importId, records: 0, inserted: 0, updated: 0, unchanged: 0, annotationsAdded: 0, rejected: 0, rejects: [], featureDim: null,
  };

  const reject = (line: number, reason: string, field?: string): void => {
    if (opts.onError === 'abort') throw new ImportLineError(opts.sourceName, line, reason, field);
    summary.rejected++;
    const r: Reject = { line, ...(field ? { field } : {}), error: reason };
    if (summary.rejects.length < REJECTS_KEPT) summary.rejects.push(r);
    opts.rejects?.write(JSON.stringify({ source: opts.sourceName, ...r }) + '\n');
  };

  const annotatorId = (name: string): number => {
    let id = annotatorIds.get(name);
    if (id === undefined) {
      id = findUserByName(deps.db, name)?.id ?? insertUser(deps.db, { name, role: 'annotator', createdAt: deps.clock.now(), createdByImportId: importId }).id;
      annotatorIds.set(name, id);
    }
    return id;
  };

  const writeOne = (p: Pending, now: number): void => {
    const { line } = p;
    if (p.error) return reject(line, p.error.reason, p.error.field);
    const rec = p.rec!;
    const newId = writer.tryInsertItem(rec, line, now);
    if (newId !== undefined) {
      for (const a of rec.annotations) writer.addAnnotation(newId, annotatorId(a.annotator), JSON.stringify(a.value), a.source, a.createdAt ?? now);
      summary.inserted++;
      summary.annotationsAdded += rec.annotations.length;
      return;
    }
    const existing = writer.findExisting(rec.externalId);
    if (existing.importId === importId) {
      return reject(line, `id ${JSON.stringify(rec.externalId)} appears twice in this file (first at line ${existing.importLine})`, 'id');
    }
    const firstLine = writer.touchedAtLine(existing.id);
    if (firstLine !== undefined) {
      return reject(line, `id ${JSON.stringify(rec.externalId)} appears twice in this file (first at line ${firstLine})`, 'id');
    }
    const contentChanged = existing.contentHash !== rec.contentHash;
    if (contentChanged && !opts.upsert) {
      return reject(line, `item ${JSON.stringify(rec.externalId)} already exists with different content (use --upsert to replace it)`, 'id');
    }
    const current = new Map(writer.annotationsOf(existing.id).map((a) => [a.annotatorId, a]));
    const additions: { annotator: number; value: string; source: 'import' | 'gold'; createdAt: number }[] = [];
    const supersedes: number[] = [];
    for (const [i, a] of rec.annotations.entries()) {
      const aid = annotatorId(a.annotator);
      const value = JSON.stringify(a.value);
      const cur = current.get(aid);
      if (cur && cur.value === value) continue;
      if (cur && !opts.upsert) {
        return reject(
          line,
          `annotator ${JSON.stringify(a.annotator)} already labelled item ${JSON.stringify(rec.externalId)} as ${cur.value} (use --upsert to replace it)`,
          i === 0 && a.annotator === opts.labelSource ? 'label' : 'annotations',
        );
      }
      if (cur) supersedes.push(cur.id);
      additions.push({ annotator: aid, value, source: a.source, createdAt: a.createdAt ?? now });
    }
    for (const a of additions) writer.addAnnotation(existing.id, a.annotator, a.value, a.source, a.createdAt);
    writer.stageChange(existing.id, rec, line, supersedes);
    summary.annotationsAdded += additions.length;
    if (contentChanged) summary.updated++;
    else summary.unchanged++;
  };

  const flush = (batch: Pending[]): void => {
    if (batch.length === 0) return;
    if (opts.signal?.aborted) throw opts.signal.reason ?? new CancelledError('import cancelled');
    runInTransaction(deps.db, () => {
      const now = deps.clock.now();
      for (const p of batch) writeOne(p, now);
    });
    batch.length = 0;
  };

  try {
    let batch: Pending[] = [];
    let batchBytes = 0;
    let sawLine = false;
    const parseWorkers = parseWorkersFor(typeof opts.source === 'string' ? statSync(opts.source).size : undefined, opts.parseWorkers ?? 'auto');
    for await (const p of parsedRecords(opts.source, ctx, { format: opts.format, maxLineBytes: opts.maxLineBytes, workers: parseWorkers })) {
      sawLine = true;
      summary.records++;
      if (p.fatal) {
        flush(batch);
        throw new ImportLineError(opts.sourceName, p.line, p.error!.reason, p.error!.field);
      }
      if (p.error) batch.push({ line: p.line, error: p.error });
      else {
        const rec = p.rec!;
        batch.push({ line: p.line, rec });
        batchBytes += (rec.features?.length ?? 0) + (rec.text?.length ?? 0) + (rec.meta?.length ?? 0);
      }
      if (batch.length >= BATCH_RECORDS || batchBytes >= BATCH_BYTES) {
        flush(batch);
        batchBytes = 0;
        opts.progress?.(p.bytesRead);
      }
    }
    flush(batch);
    if (!sawLine) throw new ValidationError(`${opts.sourceName} is empty: there are no items to import`);
    if (summary.records === summary.rejected) {
      throw new ValidationError(`${opts.sourceName}: none of its ${summary.records} records could be imported (see the rejects)`);
    }
    summary.featureDim = ctx.featureDim;
    runInTransaction(deps.db, () => {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new CancelledError('import cancelled');
      applyStagedChanges(deps.db, importId, deps.clock.now());
      if (ctx.featureDim !== null && project.featureDim === null) {
        setProjectFeatureDim(deps.db, project.id, ctx.featureDim);
      }
      setImportState(deps.db, importId, 'committed', deps.clock.now());
    });
  } catch (err) {
    discardImport(deps, importId);
    throw err;
  }
  deleteImportRows(deps.db, importId, 'changes');
  deleteOrphanImportedAnnotators(deps.db, importId);
  return summary;
}

/** Marks an import failed and removes every row it staged. */
export function discardImport(deps: ImportDeps, importId: number): void {
  setImportState(deps.db, importId, 'failed', deps.clock.now());
  deleteImportRows(deps.db, importId, 'all');
  deleteOrphanImportedAnnotators(deps.db, importId);
}
