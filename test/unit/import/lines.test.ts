/**
 * readLines: the bounded line splitter under JSONL imports. Inputs are fed as
 * Buffer chunks split at awkward places (inside a UTF-8 character, between CR
 * and LF, inside the BOM) and every result is compared exactly.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatBytes, readLines, type SourceLine } from '../../../src/modules/items/import/lines.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const TOO_LONG = (max: number) => `line is longer than the ${formatBytes(max)} limit`;
const NUL_ERROR = 'line contains NUL bytes: this looks like binary data, not text';
const UTF8_ERROR = 'line is not valid UTF-8 (is the file binary, or in another encoding?)';

function buf(part: string | Buffer | number[]): Buffer {
  if (Buffer.isBuffer(part)) return part;
  return Array.isArray(part) ? Buffer.from(part) : Buffer.from(part, 'utf8');
}

async function read(parts: (string | Buffer | number[])[], max = 1024): Promise<SourceLine[]> {
  const out: SourceLine[] = [];
  for await (const l of readLines(Readable.from(parts.map(buf)), max)) out.push(l);
  return out;
}

/** [line, text] or [line, {error}] — the part of each result that does not depend on chunking. */
function shape(lines: SourceLine[]): [number, string | { error: string }][] {
  return lines.map((l) => [l.line, l.error !== undefined ? { error: l.error } : l.text!]);
}

/** Every way to cut `data` into two chunks, plus one byte per chunk. */
function splits(data: Buffer): Buffer[][] {
  const out: Buffer[][] = [[data]];
  for (let i = 1; i < data.length; i++) out.push([data.subarray(0, i), data.subarray(i)]);
  out.push([...data].map((b) => Buffer.from([b])));
  return out;
}

describe('readLines: line splitting', () => {
  it('yields each line with its 1-based number, without the line break', async () => {
    const out = await read(['alpha\nbeta\ngamma\n']);
    expect(out).toEqual([
      { line: 1, text: 'alpha', bytesRead: 17 },
      { line: 2, text: 'beta', bytesRead: 17 },
      { line: 3, text: 'gamma', bytesRead: 17 },
    ]);
  });

  it('yields a final line that has no line break', async () => {
    expect(shape(await read(['one\ntwo']))).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
    expect(shape(await read(['one\r\ntwo\r']))).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
  });

  it('does not invent a line after the final newline', async () => {
    expect(shape(await read(['a\n']))).toEqual([[1, 'a']]);
    expect(shape(await read(['a\n', '']))).toEqual([[1, 'a']]);
  });

  it('yields nothing for an empty stream', async () => {
    expect(await read([])).toEqual([]);
    expect(await read([Buffer.alloc(0)])).toEqual([]);
  });

  it('keeps empty lines (as empty text) so that later line numbers stay right', async () => {
    expect(shape(await read(['\na\n\n\nb\n\n']))).toEqual([
      [1, ''],
      [2, 'a'],
      [3, ''],
      [4, ''],
      [5, 'b'],
      [6, ''],
    ]);
    expect(shape(await read(['\r\n\r\nx\r\n']))).toEqual([
      [1, ''],
      [2, ''],
      [3, 'x'],
    ]);
  });

  it('strips the CR of CRLF, also when CR and LF are in different chunks', async () => {
    expect(shape(await read(['a\r', '\nb\r', '\n', 'c\r\n']))).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
  });

  it('keeps a CR that is not at the end of the line', async () => {
    expect(shape(await read(['a\rb\r\n\rc\n']))).toEqual([
      [1, 'a\rb'],
      [2, '\rc'],
    ]);
  });

  it('gives the same lines for every way of cutting a CRLF file with multi-byte characters into chunks', async () => {
    const data = Buffer.from('{"t":"héllo"}\r\n\r\nπ=3.14 😀 漢字\r\nlast €', 'utf8');
    const expected: [number, string][] = [
      [1, '{"t":"héllo"}'],
      [2, ''],
      [3, 'π=3.14 😀 漢字'],
      [4, 'last €'],
    ];
    for (const chunks of splits(data)) {
      const out = await read(chunks);
      expect(shape(out), `chunks of sizes ${chunks.map((c) => c.length).join('+')}`).toEqual(expected);
      expect(out.at(-1)!.bytesRead).toBe(data.length);
    }
  });

  it('decodes a 4-byte character cut after each of its bytes', async () => {
    const emoji = Buffer.from('😀', 'utf8');
    expect(emoji.length).toBe(4);
    for (let i = 1; i < 4; i++) {
      const out = await read([Buffer.concat([Buffer.from('x'), emoji.subarray(0, i)]), Buffer.concat([emoji.subarray(i), Buffer.from('y\nz\n')])]);
      expect(shape(out)).toEqual([
        [1, 'x😀y'],
        [2, 'z'],
      ]);
    }
  });

  it('reports bytes read so far (all chunk bytes, BOM included)', async () => {
    const out = await read([Buffer.concat([BOM, Buffer.from('ab\nc')]), 'd\ne\n', 'f']);
    expect(out.map((l) => [l.line, l.text, l.bytesRead])).toEqual([
      [1, 'ab', 7],
      [2, 'cd', 11],
      [3, 'e', 11],
      [4, 'f', 12],
    ]);
  });
});

describe('readLines: byte order mark', () => {
  it('strips a UTF-8 BOM at the start of the file', async () => {
    expect(shape(await read([Buffer.concat([BOM, Buffer.from('{"id":1}\nx\n')])]))).toEqual([
      [1, '{"id":1}'],
      [2, 'x'],
    ]);
  });

  it('strips the BOM when it arrives in a chunk of its own or cut in pieces', async () => {
    const data = Buffer.concat([BOM, Buffer.from('a\nb\n')]);
    for (const cut of [1, 2, 3, 4]) {
      expect(shape(await read([data.subarray(0, cut), data.subarray(cut)])), `cut at ${cut}`).toEqual([
        [1, 'a'],
        [2, 'b'],
      ]);
    }
  });

  it('strips the BOM when an empty chunk comes first', async () => {
    expect(shape(await read([Buffer.alloc(0), Buffer.concat([BOM, Buffer.from('a\n')])]))).toEqual([[1, 'a']]);
  });

  it('a BOM-only file has no lines', async () => {
    expect(shape(await read([BOM]))).toEqual([]);
  });
});

describe('readLines: line length limit', () => {
  it('accepts a line of exactly the limit and rejects one byte more, then goes on', async () => {
    const out = await read(['12345\n123456\nok\n'], 5);
    expect(shape(out)).toEqual([
      [1, '12345'],
      [2, { error: TOO_LONG(5) }],
      [3, 'ok'],
    ]);
    expect(out[1]!.text).toBeUndefined();
  });

  it('the limit counts bytes, not characters', async () => {
    // "ééé" is 3 characters but 6 bytes
    expect(shape(await read(['éé\nééé\n'], 5))).toEqual([
      [1, 'éé'],
      [2, { error: TOO_LONG(5) }],
    ]);
  });

  it('reports a long line that spans several chunks once, on its own line number', async () => {
    const out = await read(['short\nxxxx', 'xxxxxxxx', 'xxxxxxxx', 'xx\nnext\n', 'also\n'], 10);
    expect(shape(out)).toEqual([
      [1, 'short'],
      [2, { error: TOO_LONG(10) }],
      [3, 'next'],
      [4, 'also'],
    ]);
  });

  it('reports several long lines in a row, each on its own line', async () => {
    const long = 'y'.repeat(40);
    for (const chunks of [[`${long}\n${long}\n${long}\nz\n`], [`${long}\n${long.slice(0, 7)}`, `${long.slice(7)}\n${long}`, '\nz']]) {
      expect(shape(await read(chunks, 16))).toEqual([
        [1, { error: TOO_LONG(16) }],
        [2, { error: TOO_LONG(16) }],
        [3, { error: TOO_LONG(16) }],
        [4, 'z'],
      ]);
    }
  });

  it('reports a long last line without newline', async () => {
    expect(shape(await read(['a\n', 'b'.repeat(30)], 8))).toEqual([
      [1, 'a'],
      [2, { error: TOO_LONG(8) }],
    ]);
    expect(shape(await read(['a\n', 'b'.repeat(6), 'b'.repeat(6)], 8))).toEqual([
      [1, 'a'],
      [2, { error: TOO_LONG(8) }],
    ]);
  });

  it('gives the same result for a long line at every chunk boundary', async () => {
    const data = Buffer.from('ok1\n' + 'L'.repeat(12) + '\nok3\n');
    for (const chunks of splits(data)) {
      expect(shape(await read(chunks, 8)), `chunks ${chunks.map((c) => c.length).join('+')}`).toEqual([
        [1, 'ok1'],
        [2, { error: TOO_LONG(8) }],
        [3, 'ok3'],
      ]);
    }
  });

  it('a CRLF line of exactly the limit is accepted, like the same line with LF', async () => {
    // The limit is on the line; the line break (LF or CRLF) is not part of it.
    expect(shape(await read(['12345\n'], 5))).toEqual([[1, '12345']]);
    expect(shape(await read(['12345\r\nabc\r\n'], 5))).toEqual([
      [1, '12345'],
      [2, 'abc'],
    ]);
    // ... also when CR and LF arrive in different chunks, and for a last line that ends with a bare CR
    expect(shape(await read(['12345\r', '\nabc\r\n'], 5))).toEqual([
      [1, '12345'],
      [2, 'abc'],
    ]);
    expect(shape(await read(['abc\r\n12345\r'], 5))).toEqual([
      [1, 'abc'],
      [2, '12345'],
    ]);
    // one byte more is too long
    expect(shape(await read(['123456\r\nabc\r\n'], 5))).toEqual([
      [1, { error: TOO_LONG(5) }],
      [2, 'abc'],
    ]);
  });

  it('formats the limit in the message', () => {
    expect(TOO_LONG(16 * 1024 * 1024)).toBe('line is longer than the 16 MiB limit');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(100)).toBe('100 bytes');
  });
});

describe('readLines: binary and badly encoded lines', () => {
  it('rejects a line with a NUL byte and continues with the next', async () => {
    const out = await read([Buffer.from('good\nba\0d\nfine\n')]);
    expect(shape(out)).toEqual([
      [1, 'good'],
      [2, { error: NUL_ERROR }],
      [3, 'fine'],
    ]);
  });

  it('rejects invalid UTF-8 on exactly that line', async () => {
    const out = await read([
      Buffer.from('ok\n'),
      Buffer.from([0x61, 0xff, 0x62, 0x0a]), // 0xff never occurs in UTF-8
      Buffer.from('caf\xe9\n', 'latin1'), // Latin-1 é
      Buffer.from([0xc0, 0xaf, 0x0a]), // overlong "/"
      Buffer.from([0xed, 0xa0, 0x80, 0x0a]), // an encoded UTF-16 surrogate
      Buffer.from([0x80, 0x0a]), // a lone continuation byte
      Buffer.from('still ok\n'),
    ]);
    expect(shape(out)).toEqual([
      [1, 'ok'],
      [2, { error: UTF8_ERROR }],
      [3, { error: UTF8_ERROR }],
      [4, { error: UTF8_ERROR }],
      [5, { error: UTF8_ERROR }],
      [6, { error: UTF8_ERROR }],
      [7, 'still ok'],
    ]);
  });

  it('rejects a character that is cut off by the end of the line', async () => {
    const euro = Buffer.from('€', 'utf8');
    expect(shape(await read([Buffer.concat([Buffer.from('a'), euro.subarray(0, 2), Buffer.from('\nb\n')])]))).toEqual([
      [1, { error: UTF8_ERROR }],
      [2, 'b'],
    ]);
    // ... and at the end of the file
    expect(shape(await read([Buffer.from('a\n'), euro.subarray(0, 2)]))).toEqual([
      [1, 'a'],
      [2, { error: UTF8_ERROR }],
    ]);
  });

  it('a bad line does not spoil the decoding of the next one', async () => {
    const out = await read([Buffer.from([0xe2, 0x82, 0x0a]), Buffer.from('€\n', 'utf8')]);
    expect(shape(out)).toEqual([
      [1, { error: UTF8_ERROR }],
      [2, '€'],
    ]);
  });
});
