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

const decoder = new TextDecoder('utf-8', { fatal: true });

function decodeLine(buf: Buffer): { text?: string; error?: string } {
  if (buf.includes(0)) return { error: 'line contains NUL bytes: this looks like binary data, not text' };
  try {
    let text = decoder.decode(buf);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { text };
  } catch {
    return { error: 'line is not valid UTF-8 (is the file binary, or in another encoding?)' };
  }
}

/**
 * Splits a byte stream into lines with bounded memory: a line longer than
 * `maxLineBytes` is reported as an error (and skipped) without being buffered.
 * Strips a UTF-8 BOM at the start and a CR before each LF.
 */
export async function* readLines(input: Readable, maxLineBytes: number): AsyncGenerator<SourceLine> {
  let parts: Buffer[] = [];
  let partLength = 0;
  let overflow = false;
  let lineNo = 1;
  let bytesRead = 0;
  let first = true;

  for await (const raw of input) {
    let chunk = raw as Buffer;
    if (first) {
      first = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    bytesRead += (raw as Buffer).length;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      if (overflow || partLength + piece.length > maxLineBytes) {
        yield { line: lineNo, error: `line is longer than the ${formatBytes(maxLineBytes)} limit`, bytesRead };
      } else {
        const buf = partLength === 0 ? piece : Buffer.concat([...parts, piece]);
        yield { line: lineNo, ...decodeLine(buf), bytesRead };
      }
      parts = [];
      partLength = 0;
      overflow = false;
      lineNo++;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0 && !overflow) {
      if (partLength + rest.length > maxLineBytes) {
        overflow = true;
        parts = [];
        partLength = 0;
      } else {
        parts.push(Buffer.from(rest));
        partLength += rest.length;
      }
    }
  }
  if (overflow) yield { line: lineNo, error: `line is longer than the ${formatBytes(maxLineBytes)} limit`, bytesRead };
  else if (partLength > 0) yield { line: lineNo, ...decodeLine(Buffer.concat(parts)), bytesRead };
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
