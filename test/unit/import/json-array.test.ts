/**
 * readJsonArray: streams the elements of a top-level JSON array as raw JSON
 * texts. Strings with brackets, commas and escaped quotes must not confuse it,
 * whatever the chunk boundaries, and malformed arrays must not turn into
 * well-formed records.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readJsonArray, type ArrayElement } from '../../../src/modules/items/import/json-array.js';

const NOT_CLOSED = 'the JSON array is not closed ("]" missing)';
const AFTER_END = 'unexpected content after the end of the JSON array';
const NOT_ARRAY = 'expected a JSON array ("[") or one JSON object per line';
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function buf(part: string | Buffer): Buffer {
  return Buffer.isBuffer(part) ? part : Buffer.from(part, 'utf8');
}

async function read(parts: (string | Buffer)[], max = 1 << 20): Promise<ArrayElement[]> {
  const out: ArrayElement[] = [];
  for await (const el of readJsonArray(Readable.from(parts.map(buf)), max)) out.push(el);
  return out;
}

/** Elements as [line, index, parsed value] or [line, index, {error}]. */
function shape(els: ArrayElement[]): [number, number, unknown][] {
  return els.map((e) => [e.line, e.index, e.error !== undefined ? { error: e.error } : (JSON.parse(e.text!) as unknown)]);
}

function parses(text: string | undefined): boolean {
  if (text === undefined) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function splits(data: Buffer): Buffer[][] {
  const out: Buffer[][] = [[data]];
  for (let i = 1; i < data.length; i++) out.push([data.subarray(0, i), data.subarray(i)]);
  out.push([...data].map((b) => Buffer.from([b])));
  return out;
}

const TRICKY = [
  { id: 'a', text: 'brackets ] [ } { inside', meta: { n: [1, [2, [3]]], o: { p: { q: null } } } },
  { id: 'b', text: 'commas, "quoted", and \\ backslashes \\', features: [0.5, -1, 1e-7] },
  { id: 'c', text: 'ends with a backslash \\', label: 'x' },
  { id: 'd', text: '"', meta: { '}': ']', ',': '[', '"': '\\"' } },
  { id: 'e', text: 'unicode ☃ 😀 \u2028 \t tab\nnewline', annotations: [{ annotator: 'u', label: ['a', 'b'] }] },
  'a bare string, with ] and ,',
  42,
  null,
  [[], [[]], {}],
];

describe('readJsonArray: well-formed arrays', () => {
  it('yields each element as its JSON text with its index and start line', async () => {
    const out = await read(['[{"id":"a"},{"id":"b"} , {"id":"c"}]']);
    expect(out.map((e) => [e.line, e.index, e.text?.trim()])).toEqual([
      [1, 0, '{"id":"a"}'],
      [1, 1, '{"id":"b"}'],
      [1, 2, '{"id":"c"}'],
    ]);
    expect(out.every((e) => e.error === undefined)).toBe(true);
  });

  it('tracks the line where each element starts in a pretty-printed file', async () => {
    const text = JSON.stringify([{ id: 'a', meta: { x: 1 } }, { id: 'b' }, [1, 2]], null, 2);
    // [            line 1
    //   {          line 2: element 0
    //     "id": "a",
    //     "meta": {
    //       "x": 1
    //     }
    //   },
    //   {          line 8: element 1
    //     "id": "b"
    //   },
    //   [          line 11: element 2
    expect(shape(await read([text]))).toEqual([
      [2, 0, { id: 'a', meta: { x: 1 } }],
      [8, 1, { id: 'b' }],
      [11, 2, [1, 2]],
    ]);
  });

  it('counts CRLF line breaks once', async () => {
    expect(shape(await read(['[\r\n{"id":1},\r\n\r\n{"id":2}\r\n]\r\n']))).toEqual([
      [2, 0, { id: 1 }],
      [4, 1, { id: 2 }],
    ]);
  });

  it('is not confused by brackets, braces, commas and escaped quotes in strings, or by nesting', async () => {
    const out = await read([JSON.stringify(TRICKY)]);
    expect(out.map((e) => e.error)).toEqual(TRICKY.map(() => undefined));
    expect(out.map((e) => JSON.parse(e.text!) as unknown)).toEqual(TRICKY);
    expect(out.map((e) => e.index)).toEqual(TRICKY.map((_, i) => i));
  });

  it('gives the same elements for every way of cutting the input into chunks', async () => {
    const small = [
      { id: 'x', t: 'a\\"],[{' },
      { id: 'é😀', t: '\\\\' },
      [1, { '"': ['}'] }],
    ];
    const data = Buffer.from(' [\n' + small.map((v) => JSON.stringify(v)).join(',\n') + '\n] \n', 'utf8');
    const expected = small.map((v, i) => [i + 2, i, v]);
    for (const chunks of splits(data)) {
      expect(shape(await read(chunks)), `chunks ${chunks.map((c) => c.length).join('+')}`).toEqual(expected);
    }
  });

  it('handles a backslash escape cut between two chunks', async () => {
    for (const parts of [
      ['[{"t":"a\\', '"b"}]'],
      ['[{"t":"a\\\\', '"}]'],
      ['[{"t":"a\\\\"', '}]'],
    ]) {
      const out = await read(parts);
      expect(out.map((e) => e.error)).toEqual([undefined]);
      expect(JSON.parse(out[0]!.text!)).toEqual(JSON.parse(parts.join('').slice(1, -1)));
    }
  });

  it('decodes a multi-byte character cut between chunks', async () => {
    const data = Buffer.from('[{"t":"😀€"}]', 'utf8');
    const at = data.indexOf(0xf0) + 2; // inside the emoji
    expect(shape(await read([data.subarray(0, at), data.subarray(at)]))).toEqual([[1, 0, { t: '😀€' }]]);
  });

  it('accepts an empty array, with any whitespace', async () => {
    expect(await read(['[]'])).toEqual([]);
    expect(await read(['[ ]'])).toEqual([]);
    expect(await read(['\n\t[\r\n  \n]\n\n  '])).toEqual([]);
    expect(await read(['[', ']'])).toEqual([]);
  });

  it('skips a BOM, also one cut over two chunks', async () => {
    const data = Buffer.concat([BOM, Buffer.from('[{"id":1}]')]);
    for (const cut of [0, 1, 2, 3, 4]) {
      const parts = cut === 0 ? [data] : [data.subarray(0, cut), data.subarray(cut)];
      expect(shape(await read(parts)), `cut at ${cut}`).toEqual([[1, 0, { id: 1 }]]);
    }
  });

  it('reports bytes read', async () => {
    const out = await read(['[1,', '2,3', ']']);
    expect(out.map((e) => [e.index, e.bytesRead])).toEqual([
      [0, 3],
      [1, 6],
      [2, 7],
    ]);
  });
});

describe('readJsonArray: broken arrays', () => {
  it('reports an unclosed array after the complete elements', async () => {
    expect(shape(await read(['[{"id":1},{"id":2}']))).toEqual([
      [1, 0, { id: 1 }],
      [1, 1, { error: NOT_CLOSED }],
    ]);
    expect(shape(await read(['[{"id":1},\n']))).toEqual([
      [1, 0, { id: 1 }],
      [2, 1, { error: NOT_CLOSED }],
    ]);
    expect(shape(await read(['[']))).toEqual([[1, 0, { error: NOT_CLOSED }]]);
    expect(shape(await read(['[{"t":"]"}']))).toEqual([[1, 0, { error: NOT_CLOSED }]]);
    expect(shape(await read(['[{"t":"unterminated string}]']))).toEqual([[1, 0, { error: NOT_CLOSED }]]);
  });

  it('reports content after the closing bracket, on its line, and stops', async () => {
    expect(shape(await read(['[1]\n\n x']))).toEqual([
      [1, 0, 1],
      [3, 1, { error: AFTER_END }],
    ]);
    expect(shape(await read(['[1] [2]']))).toEqual([
      [1, 0, 1],
      [1, 1, { error: AFTER_END }],
    ]);
    expect(shape(await read(['[]', ',']))).toEqual([[1, 0, { error: AFTER_END }]]);
  });

  it('accepts whitespace after the closing bracket', async () => {
    expect(shape(await read(['[1]', ' \r\n\t\n']))).toEqual([[1, 0, 1]]);
  });

  it('rejects input that does not start with "["', async () => {
    expect(shape(await read(['{"id":1}']))).toEqual([[1, 0, { error: NOT_ARRAY }]]);
    expect(shape(await read(['\n\n x']))).toEqual([[3, 0, { error: NOT_ARRAY }]]);
  });

  it('an element whose JSON is broken is yielded as is, for the caller to reject', async () => {
    const out = await read(['[{"id":1,}, {"id":2}]']);
    expect(out.map((e) => [e.index, parses(e.text)])).toEqual([
      [0, false],
      [1, true],
    ]);
  });

  it('a trailing comma does not produce a well-formed extra element', async () => {
    const out = await read(['[{"id":1},]']);
    expect(parses(out[0]?.text)).toBe(true);
    // whatever follows must be an error (an error element or a text that does not parse)
    expect(out.slice(1).length).toBeGreaterThan(0);
    expect(out.slice(1).every((e) => e.error !== undefined || !parses(e.text))).toBe(true);
  });

  it('does not accept a stray "}" between elements as a separator', async () => {
    // [{"id":1}}{"id":2}] is not JSON; it must not import as two good records
    const out = await read(['[{"id":1}}{"id":2}]']);
    expect(out.some((e) => e.error !== undefined || !parses(e.text))).toBe(true);
    const out2 = await read(['[1}2]']);
    expect(out2.some((e) => e.error !== undefined || !parses(e.text))).toBe(true);
  });

  it('does not silently drop empty elements (",," or a leading ",")', async () => {
    const doubled = await read(['[{"id":1},,{"id":2}]']);
    expect(doubled.some((e) => e.error !== undefined || !parses(e.text))).toBe(true);
    const leading = await read(['[,{"id":1}]']);
    expect(leading.some((e) => e.error !== undefined || !parses(e.text))).toBe(true);
  });

  it('rejects invalid UTF-8 instead of replacing it with U+FFFD', async () => {
    // JSONL lines with invalid UTF-8 are rejected; array elements must not be silently altered.
    const out = await read([Buffer.concat([Buffer.from('[{"t":"caf'), Buffer.from([0xe9]), Buffer.from('"}]')])]);
    expect(out.some((e) => e.text?.includes('\ufffd'))).toBe(false);
    expect(out.some((e) => e.error !== undefined && /UTF-8/.test(e.error))).toBe(true);
  });
});

describe('readJsonArray: element size limit', () => {
  const big = JSON.stringify({ id: 'big', text: 'x'.repeat(200) });

  it('reports an element over the limit when more than the limit of it arrived before a chunk boundary', async () => {
    const out = await read(['[{"id":"s"},\n' + big.slice(0, 150), big.slice(150) + ',{"id":"t"}]'], 100);
    expect(out[0]).toMatchObject({ line: 1, index: 0, text: '{"id":"s"}' });
    expect(out[1]).toMatchObject({ line: 2, index: 1, error: 'array element is longer than the 100 bytes limit' });
  });

  it('reports an element over the limit whatever the chunk sizes (also when it sits in one chunk)', async () => {
    const data = Buffer.from('[{"id":"s"},\n' + big + ',{"id":"t"}]');
    for (const chunks of [[data], [data.subarray(0, 5), data.subarray(5)], [data.subarray(0, 60), data.subarray(60)]]) {
      const out = await read(chunks, 100);
      expect(out[0], `chunks ${chunks.map((c) => c.length).join('+')}`).toMatchObject({ line: 1, index: 0, text: '{"id":"s"}' });
      expect(out[1], `chunks ${chunks.map((c) => c.length).join('+')}`).toMatchObject({
        line: 2,
        index: 1,
        error: 'array element is longer than the 100 bytes limit',
      });
    }
  });

  it('counts the limit in bytes, not UTF-16 units', async () => {
    // 60 × "é" is 60 characters but 120 bytes: 127 bytes (67 characters) arrive before the chunk boundary
    const el = JSON.stringify({ t: 'é'.repeat(60) });
    expect(Buffer.byteLength(el.slice(0, -1))).toBe(127);
    const out = await read(['[' + el.slice(0, -1), el.slice(-1) + ']'], 100);
    expect(out.map((e) => e.error)).toEqual(['array element is longer than the 100 bytes limit']);
  });
});
