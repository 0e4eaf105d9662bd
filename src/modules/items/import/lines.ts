import type { Readable } from 'node:stream';

export interface SourceLine {
  /** 1-based line number in the file. */
  line: number;
  /** The decoded line without its line break; undefined when `error` is set. */
  text?: string;
  /** Why this line cannot be read (too long, not UTF-8, binary). */
  error?: string;
  /** Bytes consumed so far, for progress. */
  bytesRead: number;
}

/** A line as bytes (without its LF; a CR before it is kept, `decodeLine` drops it). */
export interface RawLine {
  line: number;
  bytes?: Buffer;
  tooLong?: true;
  bytesRead: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const BOM = [0xef, 0xbb, 0xbf];

/** Drops a leading UTF-8 BOM from a stream's chunks, also when it is cut over chunks. */
export function bomSkipper(): (chunk: Buffer) => Buffer {
  let matched = 0; // bytes of the BOM seen so far; -1 once past the start
  return (chunk) => {
    if (matched < 0) return chunk;
    let skip = 0;
    while (matched < 3 && skip < chunk.length && chunk[skip] === BOM[matched]) {
      skip++;
      matched++;
    }
    if (matched === 3 || skip < chunk.length) matched = -1;
    return chunk.subarray(skip);
  };
}

export function decodeLine(buf: Uint8Array): { text?: string; error?: string } {
  if (buf.includes(0)) return { error: 'line contains NUL bytes: this looks like binary data, not text' };
  try {
    let text = decoder.decode(buf);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { text };
  } catch {
    return { error: 'line is not valid UTF-8 (is the file binary, or in another encoding?)' };
  }
}

export const tooLongMessage = (maxLineBytes: number) => `line is longer than the ${formatBytes(maxLineBytes)} limit`;

/**
 * Splits a byte stream into lines with bounded memory: a line longer than
 * `maxLineBytes` is reported (tooLong) and skipped without being buffered.
 * Strips a UTF-8 BOM at the start. A CR before an LF counts towards the limit
 * only as the line's own byte, so CRLF and LF files accept the same lines.
 */
export async function* splitLines(input: Readable, maxLineBytes: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let partLength = 0;
  let overflow = false;
  let lineNo = 1;
  let bytesRead = 0;
  const skipBom = bomSkipper();
  const fits = (len: number, last: number | undefined) => len <= maxLineBytes || (len === maxLineBytes + 1 && last === 13);

  for await (const raw of input) {
    const chunk = skipBom(raw as Buffer);
    bytesRead += (raw as Buffer).length;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      const len = partLength + piece.length;
      const last = piece.length ? piece[piece.length - 1] : parts.at(-1)?.at(-1);
      if (overflow || !fits(len, last)) yield { line: lineNo, tooLong: true, bytesRead };
      else yield { line: lineNo, bytes: partLength === 0 ? piece : Buffer.concat([...parts, piece]), bytesRead };
      parts = [];
      partLength = 0;
      overflow = false;
      lineNo++;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0 && !overflow) {
      if (partLength + rest.length > maxLineBytes + 1) {
        overflow = true;
        parts = [];
        partLength = 0;
      } else {
        parts.push(Buffer.from(rest));
        partLength += rest.length;
      }
    }
  }
  if (overflow || (partLength > 0 && !fits(partLength, parts.at(-1)?.at(-1)))) yield { line: lineNo, tooLong: true, bytesRead };
  else if (partLength > 0) yield { line: lineNo, bytes: Buffer.concat(parts), bytesRead };
}

/** Decoded lines (UTF-8, strict), each with its line number or the reason it cannot be read. */
export async function* readLines(input: Readable, maxLineBytes: number): AsyncGenerator<SourceLine> {
  for await (const l of splitLines(input, maxLineBytes)) {
    if (l.tooLong) yield { line: l.line, error: tooLongMessage(maxLineBytes), bytesRead: l.bytesRead };
    else yield { line: l.line, ...decodeLine(l.bytes!), bytesRead: l.bytesRead };
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
