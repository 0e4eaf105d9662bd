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

/** Where LineSplitter hands each line: `bytes[start, end)`, a view that is valid only during the call. */
export interface LineSink {
  line(lineNo: number, bytes: Buffer, start: number, end: number, bytesRead: number): void;
  tooLong(lineNo: number, bytesRead: number): void;
}

/**
 * Splits a byte stream into lines with bounded memory: a line longer than
 * `maxLineBytes` is reported (tooLong) and skipped without being buffered.
 * Strips a UTF-8 BOM at the start. A CR before an LF counts towards the limit
 * only as the line's own byte, so CRLF and LF files accept the same lines.
 * Synchronous and allocation-free for lines inside a chunk: the JSONL import
 * batches ~100,000 lines a second through it.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partLength = 0;
  private overflow = false;
  private lineNo = 1;
  private bytesRead = 0;
  private readonly skipBom = bomSkipper();

  constructor(private readonly maxLineBytes: number) {}

  private fits(len: number, last: number | undefined): boolean {
    return len <= this.maxLineBytes || (len === this.maxLineBytes + 1 && last === 13);
  }

  /** Hands `sink` the lines that `raw` completes. */
  push(raw: Buffer, sink: LineSink): void {
    const chunk = this.skipBom(raw);
    this.bytesRead += raw.length;
    const bytesRead = this.bytesRead;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      const len = this.partLength + nl - start;
      const last = nl > start ? chunk[nl - 1] : this.parts.at(-1)?.at(-1);
      if (this.overflow || !this.fits(len, last)) sink.tooLong(this.lineNo, bytesRead);
      else if (this.partLength === 0) sink.line(this.lineNo, chunk, start, nl, bytesRead);
      else {
        const whole = Buffer.concat([...this.parts, chunk.subarray(start, nl)]);
        sink.line(this.lineNo, whole, 0, whole.length, bytesRead);
      }
      this.parts = [];
      this.partLength = 0;
      this.overflow = false;
      this.lineNo++;
      start = nl + 1;
    }
    const rest = chunk.length - start;
    if (rest > 0 && !this.overflow) {
      if (this.partLength + rest > this.maxLineBytes + 1) {
        this.overflow = true;
        this.parts = [];
        this.partLength = 0;
      } else {
        this.parts.push(Buffer.from(chunk.subarray(start)));
        this.partLength += rest;
      }
    }
  }

  /** The last line, when the input does not end with a line break. */
  end(sink: LineSink): void {
    const { lineNo, bytesRead } = this;
    if (this.overflow || (this.partLength > 0 && !this.fits(this.partLength, this.parts.at(-1)?.at(-1)))) sink.tooLong(lineNo, bytesRead);
    else if (this.partLength > 0) {
      const whole = Buffer.concat(this.parts);
      sink.line(lineNo, whole, 0, whole.length, bytesRead);
    }
  }
}

/** Each line of `input` as bytes (a view into the stream's chunk) or as too long. */
export async function* splitLines(input: Readable, maxLineBytes: number): AsyncGenerator<RawLine> {
  const splitter = new LineSplitter(maxLineBytes);
  let out: RawLine[] = [];
  const sink: LineSink = {
    line: (line, bytes, start, end, bytesRead) => out.push({ line, bytes: bytes.subarray(start, end), bytesRead }),
    tooLong: (line, bytesRead) => out.push({ line, tooLong: true, bytesRead }),
  };
  const drain = function* (): Generator<RawLine> {
    const lines = out;
    out = [];
    yield* lines;
  };
  for await (const raw of input) {
    splitter.push(raw as Buffer, sink);
    yield* drain();
  }
  splitter.end(sink);
  yield* drain();
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
