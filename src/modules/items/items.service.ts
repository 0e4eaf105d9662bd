import { stringify } from 'csv-stringify/sync';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { LabelValue } from '../../core/labels.js';
import type { Db } from '../../db/index.js';
import { resolveProject, settingsOf } from '../projects/index.js';
import { computeConsensus, type ConsensusItem } from '../agreement/index.js';
import { currentPrediction, currentScoringRunId, type Prediction } from '../scoring/index.js';
import { findAnnotationsOf, findItemById, findItemByExternalId, findItemsPage, type AnnotationRecord, type ItemRecord } from './items.repo.js';
import type { Item, ListItemsQuery } from './items.schemas.js';

export interface ItemsDeps {
  db: Db;
  clock: Clock;
}

/** The shortest decimal that reads back as the same float32, so exports stay small and exact. */
export function float32ToNumber(v: number): number {
  for (let p = 6; p < 9; p++) {
    const n = Number(v.toPrecision(p));
    if (Math.fround(n) === v) return n;
  }
  return Number(v.toPrecision(9));
}

export function decodeFeatures(buf: Buffer | null): number[] | null {
  if (!buf) return null;
  const f = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const out = new Array<number>(f.length);
  for (let i = 0; i < f.length; i++) out[i] = float32ToNumber(f[i]!);
  return out;
}

function encodeCursor(id: number): string {
  return Buffer.from(`i:${id}`).toString('base64url');
}

function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^i:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new ValidationError('invalid cursor: pass the nextCursor of the previous page', [{ field: 'cursor', message: 'invalid' }]);
  return Number(m[1]);
}

function groupAnnotations(rows: AnnotationRecord[]): Map<number, Item['annotations']> {
  const by = new Map<number, Item['annotations']>();
  for (const a of rows) {
    let list = by.get(a.itemId);
    if (!list) by.set(a.itemId, (list = []));
    list.push({ annotator: a.annotator, label: JSON.parse(a.value) as LabelValue, source: a.source, createdAt: toIso(a.createdAt)! });
  }
  return by;
}

function toItem(r: ItemRecord, annotations: Item['annotations'], withFeatures: boolean): Item {
  return {
    id: r.externalId,
    split: r.split,
    text: r.text,
    ...(withFeatures ? { features: decodeFeatures(r.features) } : {}),
    meta: r.meta === null ? null : (JSON.parse(r.meta) as Record<string, unknown>),
    annotations,
    createdAt: toIso(r.createdAt)!,
    updatedAt: toIso(r.updatedAt)!,
  };
}

export function listItems(deps: ItemsDeps, projectRef: string | number, q: ListItemsQuery): { items: Item[]; nextCursor: string | null } {
  const project = resolveProject(deps, projectRef);
  const withFeatures = q.include === 'features';
  const rows = findItemsPage(deps.db, project.id, {
    ...(q.split ? { split: q.split } : {}),
    ...(q.labeled ? { labeled: q.labeled === 'true' } : {}),
    afterId: decodeCursor(q.cursor),
    limit: q.limit + 1,
    withFeatures,
  });
  const page = rows.slice(0, q.limit);
  const anns = groupAnnotations(findAnnotationsOf(deps.db, page.map((r) => r.id)));
  return {
    items: page.map((r) => toItem(r, anns.get(r.id) ?? [], withFeatures)),
    nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!.id) : null,
  };
}

export function getItem(deps: ItemsDeps, projectRef: string | number, externalId: string): Item {
  const project = resolveProject(deps, projectRef);
  const row = findItemByExternalId(deps.db, project.id, externalId);
  if (!row) throw new NotFoundError(`item "${externalId}" not found in project "${project.name}"`);
  return { ...toItem(row, groupAnnotations(findAnnotationsOf(deps.db, [row.id])).get(row.id) ?? [], true), prediction: currentPrediction(deps, project, row.id) };
}

/** An item by its internal id, as an annotator sees it: content only, no one's labels. */
export function itemContent(deps: ItemsDeps, itemId: number): { id: string; text: string | null; meta: Record<string, unknown> | null; split: Item['split'] } {
  const row = findItemById(deps.db, itemId, false);
  if (!row) throw new NotFoundError(`item ${itemId} not found`);
  return { id: row.externalId, text: row.text, meta: row.meta === null ? null : (JSON.parse(row.meta) as Record<string, unknown>), split: row.split };
}

/**
 * The import format: exporting and importing into a new project gives the same
 * items and labels. A gold item's known answer goes back into `label`.
 */
function exportRecord(r: ItemRecord, annotations: Item['annotations'], consensus: ConsensusItem | undefined, prediction: Prediction | null | undefined): Record<string, unknown> {
  const gold = annotations.find((a) => a.source === 'gold');
  return {
    id: r.externalId,
    split: r.split,
    ...(r.text !== null ? { text: r.text } : {}),
    ...(r.features ? { features: decodeFeatures(r.features) } : {}),
    ...(r.meta !== null ? { meta: JSON.parse(r.meta) as unknown } : {}),
    ...(gold ? { label: gold.label } : {}),
    annotations: annotations.filter((a) => a !== gold).map((a) => ({ annotator: a.annotator, label: a.label, createdAt: a.createdAt })),
    ...(consensus ? { consensus: { label: consensus.label, source: consensus.source, confidence: consensus.confidence } } : {}),
    ...(prediction ? { prediction: { modelVersion: prediction.modelVersion, label: prediction.label, probabilities: prediction.probabilities } } : {}),
  };
}

export interface ExportOptions {
  /** Add each item's current prediction ({modelVersion, label, probabilities}); CSV gets a `prediction` column. */
  predictions?: boolean;
}

export const CSV_EXPORT_COLUMNS = ['id', 'split', 'text', 'features', 'meta', 'label', 'annotations', 'consensus'] as const;

/**
 * Streams a project's items in pages, so memory stays flat and writers are not
 * blocked by one long statement. Yields text chunks of JSONL or CSV.
 */
export async function* exportItems(deps: ItemsDeps, projectRef: string | number, format: 'jsonl' | 'csv', opts: ExportOptions = {}): AsyncGenerator<string> {
  const project = resolveProject(deps, projectRef);
  const consensus = new Map(computeConsensus(deps, project.id, { method: settingsOf(project.settings).consensusMethod }).items.map((c) => [c.id, c]));
  // One run for the whole export, even if another run succeeds meanwhile.
  const runId = opts.predictions ? (currentScoringRunId(deps, project.id) ?? -1) : undefined;
  const predictionOf = (id: number) => (runId === undefined ? undefined : currentPrediction(deps, project, id, runId));
  if (format === 'csv') yield stringify([[...CSV_EXPORT_COLUMNS, ...(runId !== undefined ? ['prediction'] : [])]]);
  let afterId = 0;
  for (;;) {
    const rows = findItemsPage(deps.db, project.id, { afterId, limit: 500, withFeatures: true });
    if (rows.length === 0) return;
    const anns = groupAnnotations(findAnnotationsOf(deps.db, rows.map((r) => r.id)));
    const records = rows.map((r) => exportRecord(r, anns.get(r.id) ?? [], consensus.get(r.externalId), predictionOf(r.id)));
    if (format === 'jsonl') {
      yield records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    } else {
      yield stringify(
        records.map((r) => [
          r.id, r.split, r.text ?? '',
          r.features ? JSON.stringify(r.features) : '',
          r.meta ? JSON.stringify(r.meta) : '',
          r.label === undefined ? '' : typeof r.label === 'string' ? r.label : JSON.stringify(r.label),
          JSON.stringify(r.annotations),
          r.consensus ? JSON.stringify(r.consensus) : '',
          ...(runId !== undefined ? [r.prediction ? JSON.stringify(r.prediction) : ''] : []),
        ]),
      );
    }
    afterId = rows[rows.length - 1]!.id;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
