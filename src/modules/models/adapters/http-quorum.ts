/**
 * Quorum's own remote model contract, the `http` adapter's default mode.
 *
 * Request, `POST {url}/predict`:
 *   { "items": [{ "id", "text": string | null, "features": number[] | null, "meta": object | null }] }
 * Answer:
 *   { "labels": [...], "probabilities": [[...], ...] }   one row per item, in item order
 *
 * The answer's labels may come in any order but must all be configured labels (each
 * once); their columns are permuted into config order, and configured labels the
 * server left out get 0, so the single-label row-sum check decides whether the
 * omission is acceptable. Values must be JSON numbers: a string ("NaN") or null is
 * refused here with the item and label named; ranges and row sums are checked after.
 */
import { ModelOutputError } from '../../../core/errors.js';

export interface QuorumItem {
  id: string;
  text: string | null;
  features: number[] | null;
  meta: Record<string, unknown> | null;
}

export function quorumPredictBody(items: readonly QuorumItem[]): { items: readonly QuorumItem[] } {
  return { items };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The answer as rows × labels probabilities (config label order), before the shared
 * range / row-sum check.
 * @param source names the model in messages (`http model http://…`).
 */
export function quorumProbabilities(answer: unknown, ids: readonly string[], labels: readonly string[], source: string): Float32Array {
  const fail = (message: string): never => {
    throw new ModelOutputError(`${source}: ${message}`);
  };
  if (!isRecord(answer)) return fail('answer is not a JSON object with "labels" and "probabilities"');
  const answered = answer.labels;
  if (!Array.isArray(answered) || !answered.every((l) => typeof l === 'string')) return fail('answer lacks "labels" (an array of label names)');
  const column = new Map(labels.map((l, j) => [l, j]));
  const target = answered.map((l: string, k) => {
    const j = column.get(l);
    if (j === undefined) return fail(`answered unknown label "${l}" (labels: ${labels.join(', ')})`);
    if (answered.indexOf(l) !== k) return fail(`answered label "${l}" twice`);
    return j;
  });

  const rows = answer.probabilities;
  if (!Array.isArray(rows)) return fail('answer lacks "probabilities" (an array of rows)');
  if (rows.length !== ids.length) fail(`answered ${rows.length} probability rows for ${ids.length} items`);
  const width = labels.length;
  const out = new Float32Array(ids.length * width);
  rows.forEach((row: unknown, r) => {
    const at = `probabilities row ${r} (item "${ids[r]}")`;
    if (!Array.isArray(row) || row.length !== target.length) {
      fail(`${at} has ${Array.isArray(row) ? `${row.length} values` : 'no array'}, expected ${target.length} (one per answered label)`);
    }
    (row as unknown[]).forEach((v, k) => {
      if (typeof v !== 'number') fail(`${at}, label "${answered[k]}" is ${JSON.stringify(v)}, not a number`);
      out[r * width + target[k]!] = v as number;
    });
  });
  return out;
}
