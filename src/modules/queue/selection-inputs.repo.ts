/**
 * What a query strategy reads, loaded by the selection worker through its own
 * read-only handle: probabilities of a scoring run, item features (or hashed text),
 * a meta field, for a sorted list of item ids. Each is one ordered scan merged with
 * the sorted ids, not one lookup per item.
 */
import { visibleAnnotationSql, visibleItemSql } from '../../db/visibility.js';
import type { SqliteHandle } from '../scoring/item-batches.repo.js';

/** rows × k probabilities (project label order) for sorted `ids`; `found[r]` = 0 where the run has none. */
export function readRunProbabilities(h: SqliteHandle, runId: number, ids: Float64Array, k: number): { data: Float32Array; found: Uint8Array } {
  const data = new Float32Array(ids.length * k);
  const bytes = new Uint8Array(data.buffer);
  const found = new Uint8Array(ids.length);
  let r = 0;
  const stmt = h.prepare('SELECT item_id, probs FROM predictions WHERE scoring_run_id = ? ORDER BY item_id').raw(true);
  for (const [itemId, probs] of stmt.iterate(runId) as IterableIterator<[number, Buffer]>) {
    while (r < ids.length && ids[r]! < itemId) r++;
    if (r === ids.length) break;
    if (ids[r] === itemId) {
      bytes.set(probs.subarray(0, k * 4), r * k * 4);
      found[r] = 1;
    }
  }
  return { data, found };
}

export interface ItemFields {
  /** rows × dim features (zeros where an item has none), or null when not asked. */
  features: Float32Array | null;
  texts: (string | null)[] | null;
  /** Value of one meta field per row (strings/numbers; anything else → null). */
  groups: (string | number | null)[] | null;
}

/** Fields of the items with sorted `ids` (one scan of the project's items in id order). */
export function readItemFields(
  h: SqliteHandle,
  projectId: number,
  ids: Float64Array,
  want: { featureDim?: number | null; texts?: boolean; metaField?: string },
): ItemFields {
  const n = ids.length;
  const dim = want.featureDim ?? null;
  const features = dim ? new Float32Array(n * dim) : null;
  const bytes = features ? new Uint8Array(features.buffer) : null;
  const texts = want.texts ? new Array<string | null>(n).fill(null) : null;
  const groups = want.metaField !== undefined ? new Array<string | number | null>(n).fill(null) : null;
  const cols = ['id', dim ? 'features' : 'NULL', want.texts ? 'text' : 'NULL', groups ? 'meta' : 'NULL'].join(', ');
  const stmt = h.prepare(`SELECT ${cols} FROM items WHERE project_id = ? AND id >= ? AND id <= ? ORDER BY id`).raw(true);
  if (n === 0) return { features, texts, groups };
  let r = 0;
  for (const [id, f, text, meta] of stmt.iterate(projectId, ids[0], ids[n - 1]) as IterableIterator<[number, Buffer | null, string | null, string | null]>) {
    while (r < n && ids[r]! < id) r++;
    if (r === n) break;
    if (ids[r] !== id) continue;
    if (bytes && f) bytes.set(f, r * dim! * 4);
    if (texts) texts[r] = text;
    if (groups && meta) {
      const v = (JSON.parse(meta) as Record<string, unknown>)[want.metaField!];
      groups[r] = typeof v === 'string' || typeof v === 'number' ? v : null;
    }
  }
  return { features, texts, groups };
}

/**
 * The rows a query batch chooses among, sorted by item id: candidates are visible
 * pool items that are not queued (items.queued) and have fewer than `overlap` current
 * annotations; with `withLabelled`, pool items with at least one current annotation
 * are added as labelled rows (coreset and ranked-batch measure distance to them).
 * Eval and gold items are never candidates.
 */
export function selectionPool(h: SqliteHandle, projectId: number, overlap: number, withLabelled: boolean): { ids: Float64Array; isCandidate: Uint8Array } {
  const sql = `
    SELECT i.id,
           i.queued,
           (SELECT count(*) FROM annotations a WHERE a.item_id = i.id AND a.superseded_at IS NULL AND a.source IN ('import', 'task') AND ${visibleAnnotationSql('a')}) AS have
      FROM items i
     WHERE i.project_id = ? AND i.split = 'pool' AND ${visibleItemSql('i')}
     ORDER BY i.id`;
  const ids: number[] = [];
  const flags: number[] = [];
  for (const [id, queued, have] of h.prepare(sql).raw(true).iterate(projectId) as IterableIterator<[number, number, number]>) {
    const candidate = queued === 0 && have < overlap;
    if (candidate) {
      ids.push(id);
      flags.push(1);
    } else if (withLabelled && have > 0) {
      ids.push(id);
      flags.push(0);
    }
  }
  return { ids: Float64Array.from(ids), isCandidate: Uint8Array.from(flags) };
}
