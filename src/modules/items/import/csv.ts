import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { RawRecord } from './sources.js';

const JSON_COLUMNS = new Set(['meta', 'features', 'annotations']);
const PLAIN_COLUMNS = new Set(['id', 'text', 'split', 'label']);
/** Written by export, computed by Quorum: accepted back and ignored. */
const EXPORT_ONLY_COLUMNS = new Set(['consensus', 'prediction']);

interface CsvLayout {
  featureColumns: number;
}

/** Checks the header once; the error names the column so a typo is found at line 1. */
function checkHeader(columns: string[]): CsvLayout {
  if (!columns.includes('id')) throw new Error(`the header has no "id" column (columns: ${columns.join(', ')})`);
  const seen = new Set<string>();
  let featureColumns = 0;
  for (const c of columns) {
    if (seen.has(c)) throw new Error(`column "${c}" appears twice in the header`);
    seen.add(c);
    if (/^f\d+$/.test(c)) featureColumns++;
    else if (!PLAIN_COLUMNS.has(c) && !JSON_COLUMNS.has(c) && !EXPORT_ONLY_COLUMNS.has(c) && !c.startsWith('meta.')) {
      throw new Error(`unknown column "${c}"; known columns are id, text, label, split, meta, features, annotations, f0..fN and meta.<key>`);
    }
  }
  for (let i = 0; i < featureColumns; i++) {
    if (!seen.has(`f${i}`)) throw new Error(`feature columns must be f0..f${featureColumns - 1}; f${i} is missing`);
  }
  if (featureColumns > 0 && seen.has('features')) throw new Error('use either a "features" column or f0..fN columns, not both');
  return { featureColumns };
}

function parseJsonCell(column: string, cell: string): unknown {
  try {
    return JSON.parse(cell);
  } catch {
    throw new CellError(column, `is not valid JSON: ${cell.length > 60 ? cell.slice(0, 60) + '…' : cell}`);
  }
}

export class CellError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Turns one CSV row into the JSONL record shape. Empty cells are absent values;
 * `label` holds one label, or a JSON array of labels for multi-label projects.
 */
function rowToRecord(row: Record<string, string>, layout: CsvLayout): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  let meta: Record<string, unknown> | undefined;
  for (const [col, cell] of Object.entries(row)) {
    if (cell === '' || /^f\d+$/.test(col) || EXPORT_ONLY_COLUMNS.has(col)) continue;
    if (col.startsWith('meta.')) (meta ??= {})[col.slice(5)] = cell;
    else if (JSON_COLUMNS.has(col)) rec[col] = parseJsonCell(col, cell);
    else if (col === 'label' && cell.startsWith('[')) rec.label = parseJsonCell(col, cell);
    else rec[col] = cell;
  }
  if (meta) {
    if (rec.meta !== undefined && (typeof rec.meta !== 'object' || rec.meta === null)) throw new CellError('meta', 'must be a JSON object');
    rec.meta = { ...(rec.meta as Record<string, unknown> | undefined), ...meta };
  }
  if (layout.featureColumns > 0) {
    const feats: unknown[] = [];
    let empty = 0;
    for (let i = 0; i < layout.featureColumns; i++) {
      const cell = row[`f${i}`] ?? '';
      if (cell === '') {
        empty++;
        feats.push(cell);
        continue;
      }
      const n = Number(cell);
      feats.push(cell.trim() !== '' && !Number.isNaN(n) ? n : cell);
    }
    if (empty === layout.featureColumns) return rec;
    feats.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new CellError(`f${i}`, `must be a finite number, got ${JSON.stringify(v)}`);
    });
    rec.features = feats;
  }
  return rec;
}

export async function* readCsvRecords(input: Readable, maxLineBytes: number): AsyncGenerator<RawRecord> {
  let layout: CsvLayout | undefined;
  let headerError: string | undefined;
  const parser = parse({
    bom: true,
    columns: (header: string[]) => {
      try {
        layout = checkHeader(header.map((h) => h.trim()));
      } catch (err) {
        headerError = (err as Error).message;
      }
      return header.map((h) => h.trim());
    },
    info: true,
    max_record_size: maxLineBytes,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
  const skipped: RawRecord[] = [];
  parser.on('skip', (err: Error & { lines?: number; code?: string }) => {
    const reason = err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' ? err.message.replace(/^Invalid Record Length: /, 'wrong number of columns: ') : err.message;
    skipped.push({ line: err.lines ?? 0, error: { reason }, bytesRead: 0 });
  });
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  let bytesRead = 0;
  input.on('data', (c: Buffer) => (bytesRead += c.length));
  for await (const out of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    while (skipped.length) yield { ...skipped.shift()!, bytesRead };
    if (headerError) {
      yield { line: 1, error: { reason: headerError }, bytesRead, fatal: true };
      return;
    }
    const line = out.info.lines;
    try {
      const values = Object.values(out.record).join('');
      if (values.includes('\ufffd') || values.includes('\u0000')) {
        yield { line, error: { reason: 'row is not valid UTF-8 text (is the file binary?)' }, bytesRead };
        continue;
      }
      yield { line, value: rowToRecord(out.record, layout!), bytesRead };
    } catch (err) {
      if (err instanceof CellError) yield { line, error: { field: err.field, reason: err.message }, bytesRead };
      else throw err;
    }
  }
  while (skipped.length) yield { ...skipped.shift()!, bytesRead };
  if (headerError) yield { line: 1, error: { reason: headerError }, bytesRead, fatal: true };
}
