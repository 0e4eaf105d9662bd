import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { readCsvRecords } from './csv.js';
import { readJsonArray } from './json-array.js';
import { readLines } from './lines.js';
import { malformed } from './parse-batch.js';

export const IMPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One record read from a source, before validation against the project. */
export interface RawRecord {
  line: number;
  value?: unknown;
  error?: { field?: string; reason: string };
  /** The source cannot be read further (bad CSV header, broken JSON array). */
  fatal?: boolean;
  bytesRead: number;
}

export function formatFromName(name: string): ImportFormat | undefined {
  const base = name.toLowerCase().replace(/\.gz$/, '');
  if (base.endsWith('.csv')) return 'csv';
  if (base.endsWith('.jsonl') || base.endsWith('.ndjson') || base.endsWith('.json')) return 'jsonl';
  return undefined;
}

/** Reads the first bytes to detect gzip and JSON arrays, then hands on the whole stream. */
async function peek(input: Readable): Promise<{ head: Buffer; stream: Readable }> {
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : (first.value as Buffer);
  async function* rest() {
    if (head.length) yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value as Buffer;
    }
  }
  return { head, stream: Readable.from(rest(), { objectMode: false }) };
}

function firstNonSpace(buf: Buffer): number | undefined {
  let i = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  for (; i < buf.length; i++) if (![0x20, 0x09, 0x0a, 0x0d].includes(buf[i]!)) return buf[i];
  return undefined;
}

export type SourceKind = 'jsonl' | 'json-array' | 'csv';

/** What a file is by its first bytes (as openSource decides); 'unknown' when they are all blank. */
export function sniffFile(path: string): 'gzip' | 'json-array' | 'jsonl' | 'unknown' {
  const head = Buffer.alloc(64 << 10);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] === 0x1f && head[1] === 0x8b && n >= 2) return 'gzip';
  const first = firstNonSpace(head.subarray(0, n));
  return first === undefined ? 'unknown' : first === 0x5b ? 'json-array' : 'jsonl';
}

/** Opens a file or stream: gunzips it when it is gzip, and tells a JSON array from JSONL by its first character. */
export async function openSource(source: string | Readable, format: ImportFormat): Promise<{ kind: SourceKind; stream: Readable }> {
  let input = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 20 }) : source;
  let peeked = await peek(input);
  if (peeked.head[0] === 0x1f && peeked.head[1] === 0x8b) {
    const gunzip = createGunzip();
    peeked.stream.on('error', (e) => gunzip.destroy(e));
    input = peeked.stream.pipe(gunzip);
    peeked = await peek(input);
  }
  const kind: SourceKind = format === 'csv' ? 'csv' : firstNonSpace(peeked.head) === 0x5b ? 'json-array' : 'jsonl';
  return { kind, stream: peeked.stream };
}

/**
 * Streams records from JSONL (one object per line), a JSON array, or CSV, gzip or not.
 * Memory stays bounded: one line (at most `maxLineBytes`) at a time.
 */
export async function* readRecords(source: string | Readable, format: ImportFormat, maxLineBytes: number): AsyncGenerator<RawRecord> {
  const { kind, stream } = await openSource(source, format);
  yield* rawRecords(kind, stream, maxLineBytes);
}

/** Records of an opened source, parsed but not yet validated. */
export async function* rawRecords(kind: SourceKind, stream: Readable, maxLineBytes: number): AsyncGenerator<RawRecord> {
  if (kind === 'csv') {
    yield* readCsvRecords(stream, maxLineBytes);
    return;
  }
  if (kind === 'json-array') {
    for await (const el of readJsonArray(stream, maxLineBytes)) {
      if (el.error) {
        yield { line: el.line, error: { reason: el.error }, bytesRead: el.bytesRead, fatal: true };
        return;
      }
      yield parseJson(el.text!, el.line, el.bytesRead, `array element ${el.index}: `);
    }
    return;
  }
  for await (const l of readLines(stream, maxLineBytes)) {
    if (l.error) yield { line: l.line, error: { reason: l.error }, bytesRead: l.bytesRead };
    else if (l.text!.trim() !== '') yield parseJson(l.text!, l.line, l.bytesRead, '');
  }
}

function parseJson(text: string, line: number, bytesRead: number, prefix: string): RawRecord {
  try {
    return { line, value: JSON.parse(text), bytesRead };
  } catch (err) {
    return { line, error: { reason: malformed(err, prefix) }, bytesRead };
  }
}
