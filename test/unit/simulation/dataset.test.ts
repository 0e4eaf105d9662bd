import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { loadDataset, parseDataset, splitByFraction, splitByIds } from '../../../src/modules/simulation/dataset.js';
import { prepare, projectSparse, scaleFeatures } from '../../../src/modules/simulation/prepare.js';
import type { SparseRows } from '../../../src/modules/models/featurize/index.js';

const dir = mkdtempSync(join(tmpdir(), 'quorum-sim-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('parseDataset', () => {
  it('features, labels sorted (numeric-aware), ids as strings', () => {
    const ds = parseDataset('d.jsonl', jsonl([
      { id: 1, features: [1, 2], label: 10 },
      { id: 'b', features: [3, 4], label: 2 },
      { id: 'c', features: [5, 6], label: 'x' },
    ]));
    expect(ds.input).toBe('features');
    expect(ds.labels).toEqual(['2', '10', 'x']);
    expect([...ds.y]).toEqual([1, 0, 2]);
    expect(ds.ids).toEqual(['1', 'b', 'c']);
    expect([...ds.features!]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ds.dim).toBe(2);
  });
  it('text input when the first line has no features, or with input: text', () => {
    expect(parseDataset('t.jsonl', jsonl([{ id: 'a', text: 'hi', label: 'x' }, { id: 'b', text: 'yo', label: 'y' }])).texts).toEqual(['hi', 'yo']);
    const both = jsonl([{ id: 'a', text: 'hi', features: [1], label: 'x' }, { id: 'b', text: 'yo', features: [2], label: 'y' }]);
    expect(parseDataset('t.jsonl', both, { input: 'text' }).input).toBe('text');
  });
  it('errors name the file and line', () => {
    const cases: [unknown[] | string, RegExp][] = [
      ['{"id":"a","features":[1],"label":"x"}\n{oops\n', /^d\.jsonl:2: not valid JSON/],
      [[{ id: 'a', features: [1], label: 'x' }, [1, 2]], /^d\.jsonl:2: expected a JSON object/],
      [[{ features: [1], label: 'x' }], /^d\.jsonl:1: no "id"/],
      [[{ id: 'a', features: [1], label: 'x' }, { id: 'a', features: [2], label: 'y' }], /^d\.jsonl:2: duplicate id "a" \(first on line 1\)/],
      [[{ id: 'a', features: [1] }], /^d\.jsonl:1: no "label"/],
      [[{ id: 'a', features: [1], label: ['x', 'y'] }], /^d\.jsonl:1: "label" is a list: simulate is single-label/],
      [[{ id: 'a', features: [1], label: 'x' }, { id: 'b', features: [1, 2], label: 'y' }], /^d\.jsonl:2: 2 features, but earlier lines have 1/],
      [[{ id: 'a', features: [1], label: 'x' }, { id: 'b', features: ['1'], label: 'y' }], /^d\.jsonl:2: features\[0\] is "1", not a finite number/],
      [[{ id: 'a', features: [1], label: 'x' }, { id: 'b', text: 'hello', label: 'y' }], /^d\.jsonl:2: no "features"/],
      [[{ id: 'a', text: 'x', label: 'x' }, { id: 'b', text: 5, label: 'y' }], /^d\.jsonl:2: "text" must be a string/],
      [[{ id: 'a', features: [1], label: 'x' }, { id: 'b', features: [2], label: 'x' }], /every line has the label "x"; simulate needs at least 2 labels/],
      ['\n\n', /no data lines/],
    ];
    for (const [content, re] of cases) {
      expect(message(() => parseDataset('d.jsonl', typeof content === 'string' ? content : jsonl(content)))).toMatch(re);
    }
  });
  it('reads gzipped files; a missing file is one clear error', () => {
    const f = join(dir, 'd.jsonl.gz');
    writeFileSync(f, gzipSync(jsonl([{ id: 'a', features: [1], label: 'x' }, { id: 'b', features: [2], label: 'y' }])));
    expect(loadDataset(f).ids).toEqual(['a', 'b']);
    expect(message(() => loadDataset(join(dir, 'nope.jsonl')))).toMatch(/nope\.jsonl: no such file$/);
  });
});

describe('splits', () => {
  const rows = Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, features: [i], label: i < 10 ? 'a' : 'b' }));
  const ds = parseDataset('d.jsonl', jsonl(rows));
  it('by test ids: every listed id must exist', () => {
    const f = join(dir, 'ids.json');
    writeFileSync(f, JSON.stringify(['r0', 'r19']));
    const s = splitByIds(ds, f);
    expect([...s.test]).toEqual([0, 19]);
    expect(s.pool.length).toBe(18);
    writeFileSync(f, JSON.stringify(['r0', 'zz']));
    expect(message(() => splitByIds(ds, f))).toMatch(/1 of its 2 test ids are not in d\.jsonl \(first: "zz"\)/);
    writeFileSync(f, '{"a":1}');
    expect(message(() => splitByIds(ds, f))).toMatch(/expected a JSON array of ids/);
  });
  it('by fraction: stratified, seeded, reproducible', () => {
    const s = splitByFraction(ds, 0.2, 0);
    expect(s.test.length).toBe(4);
    expect([...s.test].filter((r) => r < 10).length).toBe(2);
    expect([...splitByFraction(ds, 0.2, 0).test]).toEqual([...s.test]);
  });
});

describe('prepare', () => {
  it('standardises with the pool statistics only (test rows use them too); constant features are centred', () => {
    const pool = { rows: 3, cols: 2, data: Float32Array.from([1, 5, 2, 5, 3, 5]) };
    const test = { rows: 1, cols: 2, data: Float32Array.from([4, 6]) };
    expect(scaleFeatures(pool, test, 'standardize')).toMatch(/1 constant/);
    const sd = Math.sqrt(2 / 3);
    expect([...pool.data].map((v) => +v.toFixed(5))).toEqual([-1 / sd, 0, 0, 0, 1 / sd, 0].map((v) => +v.toFixed(5)));
    expect([...test.data].map((v) => +v.toFixed(5))).toEqual([+(2 / sd).toFixed(5), 1]);
  });
  it('max scaling divides by the largest |value| of the pool', () => {
    const pool = { rows: 2, cols: 2, data: Float32Array.from([0, 16, 8, 4]) };
    const test = { rows: 1, cols: 2, data: Float32Array.from([32, 0]) };
    scaleFeatures(pool, test, 'max');
    expect([...pool.data]).toEqual([0, 1, 0.5, 0.25]);
    expect([...test.data]).toEqual([2, 0]);
  });
  it('text: tf-idf rows fitted on the pool; embeddings by a deterministic sparse projection', () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ id: `t${i}`, text: i % 2 ? `cheap pills offer ${i}` : `meeting notes agenda ${i}`, label: i % 2 ? 'spam' : 'ham' }));
    const ds = parseDataset('t.jsonl', jsonl(rows));
    const p = prepare(ds, splitByFraction(ds, 0.25, 1), { embeddings: true });
    expect(p.pool.rows).toBe(8); // round(0.25 × 6) = 2 test rows per label
    expect(p.test.rows).toBe(4);
    expect(p.embeddings).toMatchObject({ rows: 8, dim: 256 });
    const again = projectSparse(p.pool as SparseRows);
    expect([...again.data]).toEqual([...p.embeddings!.data]);
    // Two rows of the same kind are closer than rows of different kinds.
    const e = p.embeddings!;
    const row = (r: number) => e.data.subarray(r * e.dim, (r + 1) * e.dim);
    const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, v, j) => s + v * b[j]!, 0) / Math.sqrt(a.reduce((s, v) => s + v * v, 0) * b.reduce((s, v) => s + v * v, 0));
    const kinds = [...p.yPool];
    const same = kinds.findIndex((k, i) => i > 0 && k === kinds[0]);
    const other = kinds.findIndex((k) => k !== kinds[0]);
    expect(cos(row(0), row(same))).toBeGreaterThan(cos(row(0), row(other)));
  });
});
