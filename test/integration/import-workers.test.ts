import { createWriteStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { exportItems, importItems } from '../../src/modules/items/index.js';
import { createRng } from '../../src/core/random.js';
import { PARALLEL_MIN_BYTES, prestartParseThread, prestartedParseThreads } from '../../src/modules/items/import/parse-threads.js';
import { makeProject, makeTestDeps, type TestContext } from '../helpers.js';

let t: TestContext;
beforeEach(() => {
  t = makeTestDeps();
});
afterEach(() => t.close());

async function collect(project: string): Promise<string> {
  let s = '';
  for await (const chunk of exportItems(t.deps, project, 'jsonl')) s += chunk;
  // labels without a time get the time of their import, which differs between the two imports
  return s.replace(/"createdAt":"[^"]+"/g, '"createdAt":"…"');
}

/** A 5,000-line file (~11 MiB, over the size where threads are used) with a bad line of every kind among good ones. */
function mixedFile(name: string): string {
  const rng = createRng(4);
  const lines: (string | Buffer)[] = [];
  for (let i = 0; i < 5000; i++) {
    const features = Array.from({ length: 256 }, () => Math.round(rng.normal() * 1e4) / 1e4);
    if (i === 700) lines.push('{"id": broken');
    else if (i === 1200) lines.push(Buffer.from([0x7b, 0x00, 0x22, 0x7d]));
    else if (i === 1300) lines.push(Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]));
    else if (i === 1800) lines.push(JSON.stringify({ id: `i${i}`, text: 'x'.repeat(1_100_000) }));
    else if (i === 2100) lines.push(JSON.stringify({ id: `i${i}`, features: features.slice(0, 255) }));
    else if (i === 3000) lines.push(JSON.stringify({ id: 'i5', features }));
    else if (i === 4100) lines.push(JSON.stringify({ id: `i${i}`, features, label: 'nope' }));
    else if (i === 4500) lines.push('');
    else lines.push(JSON.stringify({ id: `i${i}`, text: `t${i}`, features, ...(i % 7 === 0 ? { label: 'b' } : {}) }));
  }
  const file = join(t.dir, name);
  // a BOM, CRLF line ends and no line break after the last line
  writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), ...lines.flatMap((l, i) => [Buffer.from(l), Buffer.from(i < lines.length - 1 ? '\r\n' : '')])]));
  return file;
}

async function importAs(project: string, file: string, parseWorkers: number) {
  makeProject(t.deps, { name: project, labels: ['a', 'b'] });
  const rejectsPath = join(t.dir, `${project}.rejects`);
  const rejects = createWriteStream(rejectsPath);
  const summary = await importItems(t.deps, {
    project, source: file, sourceName: 'big.jsonl', format: 'jsonl', split: 'pool', labelSource: 'imported',
    onError: 'skip', upsert: false, maxLineBytes: 1 << 20, rejects, parseWorkers,
  });
  await new Promise((r) => rejects.end(r));
  return { summary: { ...summary, importId: 0 }, export: await collect(project), rejects: readFileSync(rejectsPath, 'utf8') };
}

it('a parse thread reading the file, a pool of threads and parsing inline give the same records, rejects and order', async () => {
  const file = mixedFile('big.jsonl');
  expect(statSync(file).size).toBeGreaterThan(PARALLEL_MIN_BYTES);
  const inline = await importAs('inline', file, 0);
  expect(inline.summary).toMatchObject({ records: 4999, inserted: 4992, rejected: 7, featureDim: 256 });
  expect(inline.summary.rejects.map((r) => [r.line, r.field ?? null, r.error.slice(0, 24)])).toEqual([
    [701, null, 'malformed JSON: unexpect'],
    [1201, null, 'line contains NUL bytes:'],
    [1301, null, 'line is not valid UTF-8 '],
    [1801, null, 'line is longer than the '],
    [2101, 'features', 'has 255 values, but this'],
    [3001, 'id', 'id "i5" appears twice in'],
    [4101, 'label', 'unknown label "nope"; th'],
  ]);
  expect(inline.export.split('\n')).toHaveLength(4993);
  for (const [project, workers] of [['reader', 1], ['pool', 2]] as const) {
    const threaded = await importAs(project, file, workers);
    expect(threaded.summary, project).toEqual(inline.summary);
    expect(threaded.export, project).toBe(inline.export);
    expect(threaded.rejects, project).toBe(inline.rejects);
  }
});

it('an import takes the parse thread started ahead for its file, and only for its file and line limit', async () => {
  const file = mixedFile('ahead.jsonl');
  const other = mixedFile('other.jsonl');
  const inline = await importAs('inline', file, 0);

  prestartParseThread({ file, maxLineBytes: 1 << 20 });
  expect(prestartedParseThreads()).toBe(1);
  // the thread reads while nothing asks for it
  await new Promise((r) => setTimeout(r, 300));
  const ahead = await importAs('ahead', file, 1);
  expect(prestartedParseThreads()).toBe(0);
  expect(ahead.summary).toEqual(inline.summary);
  expect(ahead.export).toBe(inline.export);

  // another file, or another line limit: the thread's reading is not taken, and the import stops those threads
  prestartParseThread({ file: other, maxLineBytes: 1 << 20 });
  prestartParseThread({ file, maxLineBytes: 1 << 19 });
  expect(prestartedParseThreads()).toBe(2);
  const notTaken = await importAs('not-taken', file, 1);
  expect(prestartedParseThreads()).toBe(0);
  expect(notTaken.summary).toEqual(inline.summary);
  expect(notTaken.export).toBe(inline.export);

  // a gzip file named .jsonl: the thread started ahead reads nothing, the import reads it through gunzip
  const gz = join(t.dir, 'zipped.jsonl');
  writeFileSync(gz, gzipSync(readFileSync(file)));
  prestartParseThread({ file: gz, maxLineBytes: 1 << 20 });
  const zipped = await importAs('zipped', gz, 1);
  expect(prestartedParseThreads()).toBe(0);
  expect(zipped.summary).toEqual(inline.summary);
  expect(zipped.export).toBe(inline.export);
});
