/**
 * Reading items as model batches, with a plain better-sqlite3 handle so that a
 * Piscina worker can read its own slice of the pool (its own read-only connection:
 * WAL lets it read while the main thread writes predictions) instead of the main
 * thread reading every feature BLOB and shipping it across.
 */
import Database from 'better-sqlite3';
import { visibleItemSql } from '../../db/visibility.js';
import type { ModelBatch, ModelInputKind } from '../models/adapter.js';

export type SqliteHandle = Database.Database;

export interface ReadItemsResult {
  /** Database ids of the rows of `batch`. */
  itemIds: Float64Array;
  batch: ModelBatch;
  /** Items in the range that lack the input the model reads (no features / no text). */
  skipped: number;
}

export interface ReadOptions {
  input: ModelInputKind | 'all';
  featureDim: number | null;
}

export function openReadHandle(path: string): SqliteHandle {
  const h = new Database(path, { readonly: true, fileMustExist: true });
  h.pragma('busy_timeout = 10000');
  h.pragma('cache_size = -32768');
  return h;
}

type Row = [number, string, string | null, Buffer | null, string | null];

const COLUMNS = 'i.id, i.external_id, i.text, i.features, i.meta';
const rangeSql = `SELECT ${COLUMNS} FROM items i WHERE i.project_id = ? AND i.id BETWEEN ? AND ? AND ${visibleItemSql('i')} ORDER BY i.id`;
const byIdSql = `SELECT ${COLUMNS} FROM items i WHERE i.id = ? AND i.project_id = ? AND ${visibleItemSql('i')}`;

const statements = new WeakMap<SqliteHandle, Map<string, Database.Statement>>();
function stmt(h: SqliteHandle, sql: string): Database.Statement {
  let m = statements.get(h);
  if (!m) statements.set(h, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = h.prepare(sql).raw(true)));
  return s;
}

function toBatch(rows: Row[], opts: ReadOptions): ReadItemsResult {
  const needFeatures = opts.input === 'features';
  const needText = opts.input === 'text';
  const kept = rows.filter((r) => (needFeatures ? r[3] !== null : needText ? r[2] !== null : true));
  const n = kept.length;
  const dim = opts.featureDim;
  const wantFeatures = (opts.input === 'features' || opts.input === 'all') && dim !== null;
  const features = wantFeatures ? new Float32Array(n * dim) : null;
  const bytes = features ? new Uint8Array(features.buffer) : null;
  const itemIds = new Float64Array(n);
  const ids: string[] = new Array(n);
  const texts: (string | null)[] = new Array(n);
  const metas: (Record<string, unknown> | null)[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const row = kept[r]!;
    itemIds[r] = row[0];
    ids[r] = row[1];
    texts[r] = opts.input === 'features' ? null : row[2];
    metas[r] = opts.input === 'all' && row[4] ? (JSON.parse(row[4]) as Record<string, unknown>) : null;
    if (bytes && row[3]) bytes.set(row[3], r * dim! * 4);
  }
  return {
    itemIds,
    batch: { ids, texts, features, featureDim: features ? dim : null, metas },
    skipped: rows.length - n,
  };
}

/** Visible items of a project with fromId ≤ id ≤ toId, in id order. */
export function readItemRange(h: SqliteHandle, projectId: number, fromId: number, toId: number, opts: ReadOptions): ReadItemsResult {
  return toBatch(stmt(h, rangeSql).all(projectId, fromId, toId) as Row[], opts);
}

/** Visible items by id, in the order given (ids that are not visible are left out). */
export function readItemsById(h: SqliteHandle, projectId: number, itemIds: ArrayLike<number>, opts: ReadOptions): ReadItemsResult {
  const s = stmt(h, byIdSql);
  const rows: Row[] = [];
  for (let i = 0; i < itemIds.length; i++) {
    const row = s.get(itemIds[i], projectId) as Row | undefined;
    if (row) rows.push(row);
  }
  return toBatch(rows, opts);
}

/**
 * Splits the visible items of a project into id ranges of about `chunk` items each:
 * the work units of a scoring run. Reads only the ids (one index scan).
 */
export function itemIdRanges(h: SqliteHandle, projectId: number, chunk: number): { ranges: [number, number][]; total: number } {
  const ids = stmt(h, `SELECT i.id FROM items i WHERE i.project_id = ? AND ${visibleItemSql('i')} ORDER BY i.id`).pluck(true);
  const ranges: [number, number][] = [];
  let total = 0;
  let start = 0, last = 0, inRange = 0;
  for (const v of ids.iterate(projectId) as IterableIterator<number>) {
    if (inRange === 0) start = v;
    last = v;
    total++;
    if (++inRange === chunk) {
      ranges.push([start, last]);
      inRange = 0;
    }
  }
  if (inRange > 0) ranges.push([start, last]);
  return { ranges, total };
}
