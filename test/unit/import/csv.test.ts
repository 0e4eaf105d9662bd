/**
 * readCsvRecords: CSV rows to import records. Header problems are fatal at
 * line 1; row problems name the row's line (and the column when there is one)
 * and the reader goes on with the next row.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCsvRecords } from '../../../src/modules/items/import/csv.js';
import type { RawRecord } from '../../../src/modules/items/import/sources.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function buf(part: string | Buffer): Buffer {
  return Buffer.isBuffer(part) ? part : Buffer.from(part, 'utf8');
}

async function read(parts: (string | Buffer)[], max = 1 << 20): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const r of readCsvRecords(Readable.from(parts.map(buf)), max)) out.push(r);
  return out;
}

/** [line, value] or [line, {field?, reason, fatal?}], without bytesRead. */
function shape(recs: RawRecord[]): [number, unknown][] {
  return recs.map((r) => [r.line, r.error ? { ...r.error, ...(r.fatal ? { fatal: true } : {}) } : r.value]);
}

/** Sorted by line (stable), for tests about line numbers rather than order. */
function byLine(recs: RawRecord[]): RawRecord[] {
  return [...recs].sort((a, b) => a.line - b.line);
}

/** [line, id] or [line, 'error']. */
function ids(recs: RawRecord[]): [number, string][] {
  return recs.map((r) => [r.line, r.error ? 'error' : String((r.value as { id: unknown }).id)]);
}

/** A CSV cell holding `value` as JSON, quoted. */
function jsonCell(value: unknown): string {
  return `"${JSON.stringify(value).replaceAll('"', '""')}"`;
}

const UNKNOWN_HINT = 'known columns are id, text, label, split, meta, features, annotations, f0..fN and meta.<key>';

describe('readCsvRecords: header', () => {
  it('maps columns to record fields, with the data line numbers', async () => {
    expect(shape(await read(['id,text,label,split\na,hello,pos,eval\nb,world,,\n']))).toEqual([
      [2, { id: 'a', text: 'hello', label: 'pos', split: 'eval' }],
      [3, { id: 'b', text: 'world' }],
    ]);
  });

  it('trims header names (not cells)', async () => {
    expect(shape(await read([' id , text \na, x \n']))).toEqual([[2, { id: 'a', text: ' x ' }]]);
  });

  it('a header alone yields nothing, an empty file nothing', async () => {
    expect(await read(['id,text\n'])).toEqual([]);
    expect(await read([''])).toEqual([]);
  });

  it('fails at line 1 without an id column', async () => {
    expect(shape(await read(['text,label\nhello,a\n']))).toEqual([[1, { reason: 'the header has no "id" column (columns: text, label)', fatal: true }]]);
  });

  it('fails at line 1 on an unknown column, naming it', async () => {
    expect(shape(await read(['id,txt\na,b\nc,d\n']))).toEqual([[1, { reason: `unknown column "txt"; ${UNKNOWN_HINT}`, fatal: true }]]);
    expect(shape(await read(['id,Text\n']))).toEqual([[1, { reason: `unknown column "Text"; ${UNKNOWN_HINT}`, fatal: true }]]);
  });

  it('fails at line 1 on a duplicate column', async () => {
    expect(shape(await read(['id,text,text\na,b,c\n']))).toEqual([[1, { reason: 'column "text" appears twice in the header', fatal: true }]]);
    expect(shape(await read(['id, id\na,b\n']))).toEqual([[1, { reason: 'column "id" appears twice in the header', fatal: true }]]);
    expect(shape(await read(['id,meta.k,meta.k\na,b,c\n']))).toEqual([[1, { reason: 'column "meta.k" appears twice in the header', fatal: true }]]);
  });

  it('fails at line 1 when feature columns are not f0..fN', async () => {
    expect(shape(await read(['id,f0,f2\na,1,2\n']))).toEqual([[1, { reason: 'feature columns must be f0..f1; f1 is missing', fatal: true }]]);
    expect(shape(await read(['id,f1,f2\na,1,2\n']))).toEqual([[1, { reason: 'feature columns must be f0..f1; f0 is missing', fatal: true }]]);
    expect(shape(await read(['id,f0,f1,features\na,1,2,[1]\n']))).toEqual([
      [1, { reason: 'use either a "features" column or f0..fN columns, not both', fatal: true }],
    ]);
  });

  it('reports a header error also when there are no data rows', async () => {
    expect(shape(await read(['id,bogus\n']))).toEqual([[1, { reason: `unknown column "bogus"; ${UNKNOWN_HINT}`, fatal: true }]]);
  });

  it('skips a BOM, CRLF line ends and empty lines, keeping line numbers right', async () => {
    expect(shape(await read([Buffer.concat([BOM, Buffer.from('id,text\r\n\r\na,x\r\n\r\n\r\nb,y\r\nc,z')])]))).toEqual([
      [3, { id: 'a', text: 'x' }],
      [6, { id: 'b', text: 'y' }],
      [7, { id: 'c', text: 'z' }],
    ]);
  });
});

describe('readCsvRecords: rows', () => {
  it('reports a row with missing or extra columns on its line and goes on', async () => {
    const out = byLine(await read(['id,text,label\na,x,p\nb,y\nc,z,p\nd,w,p,extra\ne,v,q\n']));
    expect(shape(out)).toEqual([
      [2, { id: 'a', text: 'x', label: 'p' }],
      [3, { reason: expect.stringContaining('got 2 on line 3') }],
      [4, { id: 'c', text: 'z', label: 'p' }],
      [5, { reason: expect.stringContaining('got 4 on line 5') }],
      [6, { id: 'e', text: 'v', label: 'q' }],
    ]);
    expect(out.every((r) => r.fatal === undefined)).toBe(true);
  });

  it('words a column-count error as "wrong number of columns"', async () => {
    expect(shape(byLine(await read(['id,text\na\nb,x,y\n'])))).toEqual([
      [2, { reason: 'wrong number of columns: columns length is 2, got 1 on line 2' }],
      [3, { reason: 'wrong number of columns: columns length is 2, got 3 on line 3' }],
    ]);
  });

  it('yields records and errors in line order', async () => {
    // with --on-error abort the first bad line (2) must be the one reported, not line 3
    const out = await read(['id,text,features\na,x,[1\nb\nc,z,[1]\n']);
    expect(out.map((r) => r.line)).toEqual([2, 3, 4]);
    expect(out[0]!.error).toEqual({ field: 'features', reason: 'is not valid JSON: [1' });
  });

  it('keeps quoted newlines, commas and quotes in a cell', async () => {
    const out = await read(['id,text\na,"line1\nline2, with ""quotes"""\nb,"x,y"\n']);
    expect(out.map((r) => r.value)).toEqual([
      { id: 'a', text: 'line1\nline2, with "quotes"' },
      { id: 'b', text: 'x,y' },
    ]);
  });

  it('numbers the rows after a quoted newline by their own lines', async () => {
    // lines 2-3: a; line 4: b; lines 5-7: c (extra column); line 8: d
    const out = byLine(await read(['id,text\na,"one\ntwo"\nb,x\nc,"p\n\nq",extra\nd,y\n']));
    expect(ids(out).filter(([, id]) => id !== 'a' && id !== 'error')).toEqual([
      [4, 'b'],
      [8, 'd'],
    ]);
    expect(out.filter((r) => r.error).length).toBe(1);
  });

  it('numbers a row that spans lines by the line it starts on (as JSON array elements are)', async () => {
    const out = byLine(await read(['id,text\na,"one\ntwo"\nb,x\nc,"p\n\nq",extra\nd,y\n']));
    expect(ids(out)).toEqual([
      [2, 'a'],
      [4, 'b'],
      [5, 'error'],
      [8, 'd'],
    ]);
  });

  it('counts a CRLF inside quotes as one line break', async () => {
    // lines 2-3: a (its text holds a CRLF); line 4: b; line 5: c
    const out = await read(['id,text\r\na,"x\r\ny"\r\nb,z\r\nc,w\r\n']);
    expect(out.map((r) => (r.value as { text: string }).text)).toEqual(['x\r\ny', 'z', 'w']);
    expect(ids(out).slice(1)).toEqual([
      [4, 'b'],
      [5, 'c'],
    ]);
  });

  it('gives the same records for every way of cutting the input into two chunks', async () => {
    const data = Buffer.from('id,text,meta.src\r\na,"héllo, 😀",wéb\r\nb,漢字,\r\n"c","x\ny",\r\n', 'utf8');
    const whole = shape(await read([data]));
    expect(whole.map(([, v]) => v)).toEqual([
      { id: 'a', text: 'héllo, 😀', meta: { src: 'wéb' } },
      { id: 'b', text: '漢字' },
      { id: 'c', text: 'x\ny' },
    ]);
    expect(whole.slice(0, 2).map(([l]) => l)).toEqual([2, 3]);
    for (let i = 1; i < data.length; i++) {
      expect(shape(await read([data.subarray(0, i), data.subarray(i)])), `cut at ${i}`).toEqual(whole);
    }
  });

  it('treats empty cells as absent values', async () => {
    expect(shape(await read(['id,text,label,split,meta,features,annotations\na,,,,,,\n']))).toEqual([[2, { id: 'a' }]]);
  });
});

describe('readCsvRecords: meta, features and labels', () => {
  it('collects meta.<key> columns into meta (as strings), merged over a meta JSON column', async () => {
    expect(shape(await read([`id,meta.src,meta.n,meta\na,web,3,${jsonCell({ k: 1, src: 'json' })}\nb,,,\nc,x,,\n`]))).toEqual([
      [2, { id: 'a', meta: { k: 1, src: 'web', n: '3' } }],
      [3, { id: 'b' }],
      [4, { id: 'c', meta: { src: 'x' } }],
    ]);
  });

  it('rejects a meta JSON cell that is not an object when meta.<key> columns are merged into it', async () => {
    expect(shape(await read(['id,meta.x,meta\na,1,5\nb,1,"[1,2]"\n']))).toEqual([
      [2, { field: 'meta', reason: 'must be a JSON object' }],
      [3, { field: 'meta', reason: 'must be a JSON object' }],
    ]);
  });

  it('reads features from f0..fN columns as numbers', async () => {
    expect(shape(await read(['id,f0,f1,f2\na,1,2.5,-3e2\nb, 0.25 ,0,1E3\n']))).toEqual([
      [2, { id: 'a', features: [1, 2.5, -300] }],
      [3, { id: 'b', features: [0.25, 0, 1000] }],
    ]);
  });

  it('a row with every f-cell empty has no features; a partly empty one is an error naming the column', async () => {
    expect(shape(await read(['id,text,f0,f1,f2\na,t,,,\nb,t,1,,3\nc,t,,2,3\n']))).toEqual([
      [2, { id: 'a', text: 't' }],
      [3, { field: 'f1', reason: 'must be a finite number, got ""' }],
      [4, { field: 'f0', reason: 'must be a finite number, got ""' }],
    ]);
  });

  it('a feature cell that is not a finite number is an error naming the column and the cell', async () => {
    const out = await read(['id,f0,f1\na,1,x\nb,NaN,1\nc,1,Infinity\nd,1e999,1\n']);
    expect(out.map((r) => [r.line, r.error?.field])).toEqual([
      [2, 'f1'],
      [3, 'f0'],
      [4, 'f1'],
      [5, 'f0'],
    ]);
    expect(out[0]!.error!.reason).toBe('must be a finite number, got "x"');
    expect(out[1]!.error!.reason).toBe('must be a finite number, got "NaN"');
    // the message shows what the cell holds, not "null"
    expect(out[2]!.error!.reason).toContain('Infinity');
    expect(out[3]!.error!.reason).toContain('1e999');
  });

  it('reads features from a JSON "features" column', async () => {
    expect(shape(await read(['id,features\na,"[1,2.5,-3]"\nb,[0]\nc,"[1,""x""]"\n']))).toEqual([
      [2, { id: 'a', features: [1, 2.5, -3] }],
      [3, { id: 'b', features: [0] }],
      [4, { id: 'c', features: [1, 'x'] }], // left to validateRecord, which names features[1]
    ]);
  });

  it('names the column of a cell that is not valid JSON', async () => {
    expect(shape(await read(['id,features\na,"[1,2"\n']))).toEqual([[2, { field: 'features', reason: 'is not valid JSON: [1,2' }]]);
    expect(shape(await read(['id,annotations\na,{x}\n']))).toEqual([[2, { field: 'annotations', reason: 'is not valid JSON: {x}' }]]);
    const long = '{' + 'y'.repeat(100);
    expect(shape(await read([`id,meta\na,${long}\n`]))).toEqual([[2, { field: 'meta', reason: `is not valid JSON: ${long.slice(0, 60)}…` }]]);
  });

  it('reads one label as text and several labels as a JSON array', async () => {
    expect(shape(await read([`id,text,label\na,t,pos\nb,t,${jsonCell(['pos', 'neg'])}\nc,t,[]\nd,t,"[""x"""\n`]))).toEqual([
      [2, { id: 'a', text: 't', label: 'pos' }],
      [3, { id: 'b', text: 't', label: ['pos', 'neg'] }],
      [4, { id: 'c', text: 't', label: [] }],
      [5, { field: 'label', reason: 'is not valid JSON: ["x"' }],
    ]);
  });

  it('reads annotations from a JSON column', async () => {
    const anns = [{ annotator: 'ann', label: ['pos', 'neg'], createdAt: '2024-01-01T00:00:00.000Z' }];
    expect(shape(await read([`id,text,annotations\na,t,${jsonCell(anns)}\n`]))).toEqual([[2, { id: 'a', text: 't', annotations: anns }]]);
  });
});

describe('readCsvRecords: bad bytes and long rows', () => {
  it('rejects a row with invalid UTF-8 or NUL bytes and goes on', async () => {
    const out = await read([Buffer.concat([Buffer.from('id,text\na,caf'), Buffer.from([0xe9]), Buffer.from('\nb,x\0y\nc,ok\n')])]);
    expect(shape(out)).toEqual([
      [2, { reason: 'row is not valid UTF-8 text (is the file binary?)' }],
      [3, { reason: 'row is not valid UTF-8 text (is the file binary?)' }],
      [4, { id: 'c', text: 'ok' }],
    ]);
  });

  it('accepts valid UTF-8 text that contains U+FFFD itself', async () => {
    expect(shape(await read(['id,text\na,broken \ufffd char\n']))).toEqual([[2, { id: 'a', text: 'broken \ufffd char' }]]);
  });

  it('reports a row over the size limit on its line and goes on with the next rows', async () => {
    const out = byLine(await read(['id,text\nz,first\na,' + 'x'.repeat(80) + '\nb,ok\nc,ok\n'], 40));
    expect(ids(out)).toEqual([
      [2, 'z'],
      [3, 'error'],
      [4, 'b'],
      [5, 'c'],
    ]);
  });

  it('reports a row over the size limit once, also when the rest of the file comes in later chunks', async () => {
    const out = byLine(await read(['id,text\na,' + 'x'.repeat(80) + '\n', 'b,ok\n', 'c,ok\n'], 40));
    expect(ids(out)).toEqual([
      [2, 'error'],
      [3, 'b'],
      [4, 'c'],
    ]);
  });

  it('counts bytes read', async () => {
    const out = await read(['id,text\n', 'a,x\n', 'b,y\n']);
    expect(out.at(-1)!.bytesRead).toBe(16);
  });
});
