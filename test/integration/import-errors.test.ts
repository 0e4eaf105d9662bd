import { mkdtempSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImportLineError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import { listItems } from '../../src/modules/items/index.js';
import { importText, jsonl, makeProject, makeTestDeps, tableCounts, type TestContext } from '../helpers.js';

let t: TestContext;
beforeEach(() => {
  t = makeTestDeps({ maxLineBytes: 1024 * 1024 });
  makeProject(t.deps);
});
afterEach(() => t.close());

/** Imports `content` in abort mode, expects an ImportLineError, and checks the database did not change. */
async function expectRejected(content: string | Buffer, where: { line: number; field?: string; message: RegExp }, opts = {}) {
  const before = tableCounts(t.deps);
  const err = await importText(t.deps, 'p1', content, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImportLineError);
  const e = err as ImportLineError;
  expect(e.line).toBe(where.line);
  expect(e.field).toBe(where.field);
  expect(e.message).toMatch(where.message);
  expect(e.message.startsWith(`input.jsonl:${where.line}: `)).toBe(true);
  expect(tableCounts(t.deps)).toEqual(before);
}

const good = (id: string, extra: Record<string, unknown> = {}) => ({ id, text: `text ${id}`, ...extra });

describe('bad input, abort mode: the error names line and field, nothing is stored', () => {
  it('malformed JSON', async () => {
    await expectRejected(jsonl([good('a'), '{"id": "b", "text": ', good('c')]), { line: 2, message: /malformed JSON/ });
  });

  it('NaN and Infinity literals are not JSON', async () => {
    await expectRejected(jsonl([good('a', { features: [1, 2] }), '{"id":"b","features":[1,NaN]}']), { line: 2, message: /malformed JSON/ });
    await expectRejected(jsonl(['{"id":"b","features":[Infinity,1]}']), { line: 1, message: /malformed JSON/ });
  });

  it('strings, NaN strings and float32 overflow in features', async () => {
    await expectRejected(jsonl([good('a', { features: [1, '2', 3] })]), { line: 1, field: 'features[1]', message: /must be a finite number, got the string "2"/ });
    await expectRejected(jsonl([good('a', { features: [1, 'NaN'] })]), { line: 1, field: 'features[1]', message: /finite number/ });
    await expectRejected(jsonl([good('a', { features: [1e39] })]), { line: 1, field: 'features[0]', message: /float32 range/ });
    await expectRejected(jsonl([good('a', { features: [1, null] })]), { line: 1, field: 'features[1]', message: /got null/ });
  });

  it('wrong feature dimension, within one file and against the project', async () => {
    await expectRejected(jsonl([good('a', { features: [1, 2, 3] }), good('b', { features: [1, 2] })]), {
      line: 2, field: 'features', message: /has 2 values, but this project's items have 3/,
    });
    await importText(t.deps, 'p1', jsonl([good('a', { features: [1, 2, 3] })]));
    await expectRejected(jsonl([good('z', { features: [1, 2, 3, 4] })]), { line: 1, field: 'features', message: /has 4 values.*have 3/ });
  });

  it('unknown label, empty label, and a multi-label value in a single-label project', async () => {
    await expectRejected(jsonl([good('a', { label: 'zzz' })]), { line: 1, field: 'label', message: /unknown label "zzz"; the project's labels are "a", "b", "c"/ });
    await expectRejected(jsonl([good('a', { label: '' })]), { line: 1, field: 'label', message: /empty/ });
    await expectRejected(jsonl([good('a', { label: ['a', 'b'] })]), { line: 1, field: 'label', message: /one label/ });
    await expectRejected(jsonl([good('a', { annotations: [{ annotator: 'x', label: 'q' }] })]), { line: 1, field: 'annotations[0].label', message: /unknown label "q"/ });
  });

  it('duplicate ids inside one file name both lines', async () => {
    await expectRejected(jsonl([good('a'), good('b'), good('a')]), { line: 3, field: 'id', message: /id "a" appears twice in this file \(first at line 1\)/ });
  });

  it('duplicate ids of an existing item inside one file', async () => {
    await importText(t.deps, 'p1', jsonl([good('a')]));
    await expectRejected(jsonl([good('a'), good('a')]), { line: 2, field: 'id', message: /appears twice in this file \(first at line 1\)/ });
  });

  it('missing and empty id, unknown fields, no content', async () => {
    await expectRejected(jsonl([{ text: 'x' }]), { line: 1, field: 'id', message: /is missing/ });
    await expectRejected(jsonl([{ id: '', text: 'x' }]), { line: 1, field: 'id', message: /is empty/ });
    await expectRejected(jsonl([{ id: 'a', txt: 'x' }]), { line: 1, field: 'txt', message: /unknown field/ });
    await expectRejected(jsonl([{ id: 'a' }]), { line: 1, message: /at least one of text, features or meta/ });
    await expectRejected(jsonl([good('a'), '[1,2]']), { line: 2, message: /must be a JSON object, got an array/ });
    await expectRejected('[1, 2]', { line: 1, message: /must be a JSON object, got number 1/ });
  });

  it('a 50 MB single line is refused without reading it into memory', async () => {
    const big = '{"id":"big","text":"' + 'x'.repeat(50 * 1024 * 1024) + '"}';
    await expectRejected(jsonl([good('a'), big, good('b')]), { line: 2, message: /longer than the 1 MiB limit/ });
  });

  it('binary garbage', async () => {
    const garbage = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0xff, 0xfe, 0x0a, 0x01]);
    await expectRejected(garbage, { line: 1, message: /NUL bytes|not valid UTF-8/ });
    await expectRejected(Buffer.concat([Buffer.from(jsonl([good('a')])), Buffer.from([0xc3, 0x28, 0x0a])]), { line: 2, message: /not valid UTF-8/ });
  });

  it('CSV with missing or extra columns names the line', async () => {
    const csv = 'id,text,label\nr1,hello,a\nr2,only two\nr3,x,b,extra\n';
    await expectRejected(csv, { line: 3, message: /wrong number of columns|Invalid Record Length/ }, { format: 'csv', sourceName: 'input.jsonl' });
  });

  it('an empty file and a file of blank lines are errors', async () => {
    await expect(importText(t.deps, 'p1', '')).rejects.toThrow(ValidationError);
    await expect(importText(t.deps, 'p1', '')).rejects.toThrow(/input.jsonl is empty/);
    await expect(importText(t.deps, 'p1', '\n\n  \n')).rejects.toThrow(/is empty/);
    expect(tableCounts(t.deps).items).toBe(0);
  });

  it('an unknown project', async () => {
    await expect(importText(t.deps, 'nope', jsonl([good('a')]))).rejects.toThrow(NotFoundError);
  });

  it('an error after several batches leaves nothing behind, annotators included', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => good(`i${i}`, { annotations: [{ annotator: 'fresh-annotator', label: 'a' }] }));
    const before = tableCounts(t.deps);
    await expect(importText(t.deps, 'p1', jsonl([...lines, '{broken']))).rejects.toThrow(/input.jsonl:5001: malformed JSON/);
    expect(tableCounts(t.deps)).toEqual(before);
  });
});

describe('accepted variants', () => {
  it('UTF-8 BOM and CRLF line ends', async () => {
    const content = '\ufeff' + jsonl([good('a', { label: 'a' }), good('b')]).replace(/\n/g, '\r\n');
    const s = await importText(t.deps, 'p1', content);
    expect(s.inserted).toBe(2);
    expect(listItems(t.deps, 'p1', { limit: 10 }).items.map((i) => [i.id, i.text])).toEqual([
      ['a', 'text a'],
      ['b', 'text b'],
    ]);
  });

  it('SQL-like and HTML strings in ids and text are stored verbatim', async () => {
    const nasty = [
      { id: "x'); DROP TABLE items; --", text: '<script>alert(1)</script>' },
      { id: '<img src=x onerror=alert(1)>', text: "Robert'); DELETE FROM users;--", meta: { html: '<b>"&amp;"</b>' } },
    ];
    await importText(t.deps, 'p1', jsonl(nasty));
    const items = listItems(t.deps, 'p1', { limit: 10 }).items;
    expect(items.map((i) => ({ id: i.id, text: i.text }))).toEqual(nasty.map((n) => ({ id: n.id, text: n.text })));
    expect(items[1]!.meta).toEqual({ html: '<b>"&amp;"</b>' });
    expect(tableCounts(t.deps).projects).toBe(1);
  });

  it('a JSON array and a gzip file', async () => {
    const { gzipSync } = await import('node:zlib');
    await importText(t.deps, 'p1', JSON.stringify([good('a'), good('b', { label: 'b' })], null, 2));
    await importText(t.deps, 'p1', gzipSync(jsonl([good('c')])));
    expect(listItems(t.deps, 'p1', { limit: 10 }).items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('skip mode', () => {
  it('imports exactly the valid lines and writes each reject with its reason', async () => {
    const dir = mkdtempSync(join(t.dir, 'rej-'));
    const rejectsPath = join(dir, 'rejects.jsonl');
    const rejects = createWriteStream(rejectsPath);
    const content = jsonl([good('a'), '{bad', good('b', { label: 'nope' }), good('c', { features: [1, 'x'] }), good('a'), good('d', { label: 'c' })]);
    const s = await importText(t.deps, 'p1', content, { onError: 'skip', rejects });
    await new Promise((r) => rejects.end(r));
    expect(s).toMatchObject({ records: 6, inserted: 2, rejected: 4 });
    expect(listItems(t.deps, 'p1', { limit: 10 }).items.map((i) => i.id)).toEqual(['a', 'd']);
    const lines = readFileSync(rejectsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; field?: string; error: string });
    expect(lines.map((l) => [l.line, l.field ?? null])).toEqual([
      [2, null],
      [3, 'label'],
      [4, 'features[1]'],
      [5, 'id'],
    ]);
    expect(lines[3]!.error).toMatch(/appears twice/);
  });

  it('a file where every line is bad imports nothing and fails', async () => {
    await expect(importText(t.deps, 'p1', jsonl(['{bad', '{worse']), { onError: 'skip' })).rejects.toThrow(/none of its 2 records/);
    expect(tableCounts(t.deps).items).toBe(0);
  });
});

describe('re-import and upsert', () => {
  it('identical re-import is a no-op; a changed item is an error unless --upsert', async () => {
    await importText(t.deps, 'p1', jsonl([good('a', { label: 'a', meta: { k: 1, j: [1, 2] } }), good('b')]));
    const before = tableCounts(t.deps);
    const again = await importText(t.deps, 'p1', jsonl([good('a', { label: 'a', meta: { j: [1, 2], k: 1 } }), good('b')]));
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 2, annotationsAdded: 0 });
    expect(tableCounts(t.deps)).toEqual(before);

    await expectRejected(jsonl([{ id: 'a', text: 'changed', label: 'a' }]), { line: 1, field: 'id', message: /already exists with different content \(use --upsert/ });
    await expectRejected(jsonl([good('a', { label: 'b', meta: { k: 1, j: [1, 2] } })]), { line: 1, field: 'label', message: /already labelled item "a" as "a"/ });

    const up = await importText(t.deps, 'p1', jsonl([{ id: 'a', text: 'changed', label: 'b' }]), { upsert: true });
    expect(up).toMatchObject({ updated: 1, annotationsAdded: 1 });
    const a = listItems(t.deps, 'p1', { limit: 10 }).items[0]!;
    expect(a.text).toBe('changed');
    expect(a.meta).toBeNull();
    expect(a.annotations.map((x) => x.label)).toEqual(['b']);
    // history is kept: the replaced annotation is superseded, not deleted
    const rows = t.deps.db.$client.prepare(`SELECT value, superseded_at IS NOT NULL AS old FROM annotations ORDER BY id`).all();
    expect(rows).toEqual([
      { value: '"a"', old: 1 },
      { value: '"b"', old: 0 },
    ]);
  });

  it('new annotators on existing items are added without --upsert', async () => {
    await importText(t.deps, 'p1', jsonl([good('a', { label: 'a' })]));
    const s = await importText(t.deps, 'p1', jsonl([good('a', { annotations: [{ annotator: 'bob', label: 'c' }] })]));
    expect(s).toMatchObject({ unchanged: 1, annotationsAdded: 1 });
    expect(listItems(t.deps, 'p1', { limit: 10 }).items[0]!.annotations.map((x) => [x.annotator, x.label])).toEqual([
      ['imported', 'a'],
      ['bob', 'c'],
    ]);
  });
});

describe('visibility', () => {
  it('nothing of a running import is visible until it commits', async () => {
    const seen: number[] = [];
    const lines = Array.from({ length: 7000 }, (_, i) => good(`i${i}`, { label: 'a' }));
    await importText(t.deps, 'p1', jsonl(lines), {
      progress: () => {
        seen.push(listItems(t.deps, 'p1', { limit: 1000 }).items.length);
      },
    });
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every((n) => n === 0)).toBe(true);
    expect(tableCounts(t.deps).items).toBe(7000);
    expect(t.deps.db.$client.prepare("SELECT count(*) AS n FROM imports WHERE state <> 'committed'").get()).toEqual({ n: 0 });
  });

  it('a second import on the same project waits its turn (conflict), other projects are free', async () => {
    makeProject(t.deps, { name: 'p2' });
    let conflict: unknown;
    let other: unknown;
    const lines = Array.from({ length: 4500 }, (_, i) => good(`i${i}`));
    await importText(t.deps, 'p1', jsonl(lines), {
      progress: () => {
        if (conflict) return;
        conflict = 'pending';
        void importText(t.deps, 'p1', jsonl([good('x')])).catch((e: unknown) => (conflict = e));
        void importText(t.deps, 'p2', jsonl([good('x')])).then((s) => (other = s));
      },
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(String(conflict)).toMatch(/another import .* is still running on project "p1"/);
    expect(other).toMatchObject({ inserted: 1 });
  });
});

describe('multi-label projects', () => {
  it('normalises label order and rejects duplicates and unknown labels', async () => {
    makeProject(t.deps, { name: 'ml', labels: ['x', 'y', 'z'], multiLabel: true });
    await importText(t.deps, 'ml', jsonl([good('a', { label: ['z', 'x'] }), good('b', { label: 'y' }), good('c', { label: [] })]));
    expect(listItems(t.deps, 'ml', { limit: 10 }).items.map((i) => i.annotations[0]?.label)).toEqual([['x', 'z'], ['y'], []]);
    await expect(importText(t.deps, 'ml', jsonl([good('d', { label: ['x', 'x'] })]))).rejects.toThrow(/label\[1\]: label "x" is listed twice/);
    await expect(importText(t.deps, 'ml', jsonl([good('d', { label: ['x', 'w'] })]))).rejects.toThrow(/label\[1\]: unknown label "w"/);
  });
});

describe('round trip', () => {
  it('export → import into a new project gives the same export (JSONL and CSV)', async () => {
    const { exportItems } = await import('../../src/modules/items/index.js');
    const collect = async (project: string, format: 'jsonl' | 'csv') => {
      let s = '';
      for await (const chunk of exportItems(t.deps, project, format)) s += chunk;
      return s;
    };
    const rows = [
      { id: 'a', text: 'héllo "quoted", comma\nnewline', features: [0.1, -2.5, 3.14159, 1e-7], meta: { src: 'x', n: 1 }, label: 'a' },
      { id: 'b', features: [1, 2, 3, 4], split: 'eval', annotations: [{ annotator: 'ann1', label: 'b', createdAt: '2024-01-02T03:04:05.000Z' }, { annotator: 'ann2', label: 'c', createdAt: '2024-01-02T03:04:06.000Z' }] },
      { id: 'c', meta: { url: 'http://x/y.png' }, split: 'gold', label: 'c' },
    ];
    await importText(t.deps, 'p1', jsonl(rows));
    for (const format of ['jsonl', 'csv'] as const) {
      const first = await collect('p1', format);
      const file = join(t.dir, `export.${format}`);
      writeFileSync(file, first);
      const name = `copy-${format}`;
      makeProject(t.deps, { name });
      await importText(t.deps, name, readFileSync(file), { format, sourceName: file });
      expect(await collect(name, format)).toBe(first);
    }
    const exported = (await collect('p1', 'jsonl')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(exported[0]!.features).toEqual([0.1, -2.5, 3.14159, 1e-7]);
    expect(exported[1]!.split).toBe('eval');
  });
});

