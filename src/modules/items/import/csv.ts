import type { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { bomSkipper, formatBytes } from './lines.js';
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
    if (rec.meta !== undefined && (typeof rec.meta !== 'object' || rec.meta === null || Array.isArray(rec.meta))) {
      throw new CellError('meta', 'must be a JSON object');
    }
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
      // keep the cell's own text when it is not a finite number, for the message
      feats.push(cell.trim() !== '' && Number.isFinite(n) ? n : cell);
    }
    if (empty === layout.featureColumns) return rec;
    feats.forEach((v, i) => {
      if (typeof v !== 'number') throw new CellError(`f${i}`, `must be a finite number, got ${JSON.stringify(v)}`);
    });
    rec.features = feats;
  }
  return rec;
}

interface CsvRow {
  line: number;
  bytes?: Buffer;
  tooLong?: true;
  bytesRead: number;
}

const QUOTE = 0x22, LF = 0x0a, CR = 0x0d;

/**
 * Splits CSV bytes into records: a record ends at a line break outside quotes
 * (RFC 4180). Tracking quotes even through an over-long record lets reading
 * resume at the next record; each record keeps the line it starts on.
 */
async function* csvRows(input: Readable, maxRecordBytes: number): AsyncGenerator<CsvRow> {
  let parts: Buffer[] = [];
  let size = 0;
  let inQuotes = false;
  let overflow = false;
  let line = 1;
  let startLine = 1;
  let bytesRead = 0;
  const skipBom = bomSkipper();
  const end = (): CsvRow | undefined => {
    let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (bytes.at(-1) === CR) bytes = bytes.subarray(0, -1);
    const row: CsvRow | undefined = overflow ? { line: startLine, tooLong: true, bytesRead } : bytes.length ? { line: startLine, bytes, bytesRead } : undefined;
    parts = [];
    size = 0;
    overflow = false;
    return row;
  };
  const keep = (piece: Buffer) => {
    if (overflow) return;
    if (size + piece.length > maxRecordBytes + 1) {
      overflow = true;
      parts = [];
      size = 0;
    } else {
      parts.push(Buffer.from(piece));
      size += piece.length;
    }
  };
  for await (const raw of input) {
    bytesRead += (raw as Buffer).length;
    const chunk = skipBom(raw as Buffer);
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === QUOTE) inQuotes = !inQuotes;
      else if (c === LF) {
        line++;
        if (inQuotes) continue;
        keep(chunk.subarray(from, i));
        if (!overflow && size > maxRecordBytes && !(size === maxRecordBytes + 1 && parts.at(-1)?.at(-1) === CR)) overflow = true;
        const row = end();
        if (row) yield row;
        from = i + 1;
        startLine = line;
      }
    }
    keep(chunk.subarray(from));
  }
  if (size > maxRecordBytes) overflow = true;
  const row = end();
  if (row) yield row;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NOT_TEXT = 'row is not valid UTF-8 text (is the file binary?)';

function fieldsOf(bytes: Buffer): string[] | string {
  if (bytes.includes(0)) return NOT_TEXT;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return NOT_TEXT;
  }
  try {
    const rows = parse(text, { relax_column_count: true }) as string[][];
    return rows[0] ?? [];
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Reads CSV as import records, in line order, with bounded memory: the header
 * is checked once (line 1), then every record is parsed on its own, so a bad row
 * (wrong number of columns, invalid UTF-8, over the size limit) is reported on
 * the line it starts on and reading goes on with the next one.
 */
export async function* readCsvRecords(input: Readable, maxLineBytes: number): AsyncGenerator<RawRecord> {
  let header: string[] | undefined;
  let layout: CsvLayout | undefined;
  for await (const row of csvRows(input, maxLineBytes)) {
    if (row.tooLong) {
      if (!header) {
        yield { line: row.line, error: { reason: `the header is longer than the ${formatBytes(maxLineBytes)} limit` }, bytesRead: row.bytesRead, fatal: true };
        return;
      }
      yield { line: row.line, error: { reason: `row is longer than the ${formatBytes(maxLineBytes)} limit` }, bytesRead: row.bytesRead };
      continue;
    }
    const fields = fieldsOf(row.bytes!);
    if (!header) {
      try {
        if (typeof fields === 'string') throw new Error(`the header cannot be read: ${fields}`);
        header = fields.map((h) => h.trim());
        layout = checkHeader(header);
      } catch (err) {
        yield { line: row.line, error: { reason: (err as Error).message }, bytesRead: row.bytesRead, fatal: true };
        return;
      }
      continue;
    }
    if (typeof fields === 'string') {
      yield { line: row.line, error: { reason: fields }, bytesRead: row.bytesRead };
      continue;
    }
    if (fields.length !== header.length) {
      yield { line: row.line, error: { reason: `wrong number of columns: columns length is ${header.length}, got ${fields.length} on line ${row.line}` }, bytesRead: row.bytesRead };
      continue;
    }
    const cells: Record<string, string> = {};
    header.forEach((h, i) => (cells[h] = fields[i]!));
    try {
      yield { line: row.line, value: rowToRecord(cells, layout!), bytesRead: row.bytesRead };
    } catch (err) {
      if (!(err instanceof CellError)) throw err;
      yield { line: row.line, error: { field: err.field, reason: err.message }, bytesRead: row.bytesRead };
    }
  }
}
