import { parseLineBatch, type LineBatch, type ParsedBatch } from '../src/modules/items/import/parse-batch.js';
import type { RecordContext } from '../src/modules/items/import/record.js';

export interface ParseTask {
  batch: LineBatch;
  ctx: Omit<RecordContext, 'labelIndex'>;
  maxLineBytes: number;
}

let labelKey: string | undefined;
let labelIndex: Map<string, number> | undefined;

/** Parses one batch of JSONL lines off the main thread (piscina task). */
export default function parse(task: ParseTask): ParsedBatch {
  const key = task.ctx.labels.join('\u0000');
  if (key !== labelKey) {
    labelKey = key;
    labelIndex = new Map(task.ctx.labels.map((l, i) => [l, i]));
  }
  return parseLineBatch(task.batch, { ...task.ctx, labelIndex: labelIndex! }, task.maxLineBytes);
}
