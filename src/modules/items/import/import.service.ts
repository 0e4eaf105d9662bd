import { statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { Clock } from '../../../core/clock.js';
import { CancelledError, ConflictError, ImportLineError, ValidationError } from '../../../core/errors.js';
import type { Split } from '../../../core/labels.js';
import type { Db, WalCheckpointer } from '../../../db/index.js';
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
  importPageCache,
} from './import.repo.js';
import { ParsedRecords, parseWorkersFor, type ParsedRecord, type RecordGroup } from './parsed-records.js';
import type { RecordContext } from './record.js';
import type { ImportFormat } from './sources.js';

export interface ImportDeps {
  db: Db;
  clock: Clock;
  /** Checkpoints the WAL beside the import's writes (without it, its commits checkpoint). */
  checkpointer?: WalCheckpointer;
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

/**
 * Rows a staging transaction writes. Each commit rewrites every index page it touched, and the rand and
 * external-id indexes take rows all over: at 2,000 rows a commit, 200k rows wrote ~1.6x the pages of 20,000
 * (BENCHMARKS.md §1). The first transaction is small, so that a slow source's first rows are staged early
 * and a small import holds the write lock briefly; each next one doubles, up to 10,000 rows (~12 MiB,
 * ~100 ms of write lock).
 */
const FIRST_BATCH_RECORDS = 2_000;
const MAX_BATCH_RECORDS = 10_000;
const BATCH_BYTES = 16 * 1024 * 1024;
const REJECTS_KEPT = 100;

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

  const writeOne = (p: ParsedRecord, now: number): void => {
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

  /** Groups waiting for their staging transaction; their records are made as it writes them. */
  const pending: RecordGroup[] = [];
  let batchRecords = FIRST_BATCH_RECORDS;
  let pendingRecords = 0;
  let pendingBytes = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    if (opts.signal?.aborted) throw opts.signal.reason ?? new CancelledError('import cancelled');
    runInTransaction(deps.db, () => {
      const now = deps.clock.now();
      for (const group of pending) for (const p of group.records()) writeOne(p, now);
    });
    pending.length = 0;
    pendingRecords = pendingBytes = 0;
  };

  const restoreCache = importPageCache(deps.db);
  const endOffload = deps.checkpointer?.offload(deps.db.$client);
  try {
    let sawLine = false;
    const parseWorkers = parseWorkersFor(typeof opts.source === 'string' ? statSync(opts.source).size : undefined, opts.parseWorkers ?? 'auto');
    const parsed = new ParsedRecords(opts.source, ctx, { format: opts.format, maxLineBytes: opts.maxLineBytes, workers: parseWorkers });
    for await (const group of parsed) {
      if (group.length === 0) continue;
      sawLine = true;
      summary.records += group.length;
      if (group.fatal) {
        flush();
        const { line, error } = group.fatal;
        throw new ImportLineError(opts.sourceName, line, error!.reason, error!.field);
      }
      pending.push(group);
      pendingRecords += group.length;
      pendingBytes += group.payloadBytes;
      // between groups, so that every record handed out is written and its buffers can be reused
      if (pendingRecords >= batchRecords || pendingBytes >= BATCH_BYTES) {
        flush();
        parsed.written();
        batchRecords = Math.min(2 * batchRecords, MAX_BATCH_RECORDS);
      }
      // per group (~2,000 lines), more often than a transaction commits
      opts.progress?.(group.bytesRead);
    }
    flush();
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
  } finally {
    restoreCache();
    await endOffload?.();
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
