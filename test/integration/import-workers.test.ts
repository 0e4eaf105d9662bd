import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { exportItems, importItems } from '../../src/modules/items/index.js';
import { createRng } from '../../src/core/random.js';
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

it('parsing on worker threads gives exactly what parsing inline gives: records, rejects and their order', async () => {
  const rng = createRng(4);
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const features = Array.from({ length: 256 }, () => Math.round(rng.normal() * 1e4) / 1e4);
    if (i === 700) lines.push('{"id": broken');
    else if (i === 2100) lines.push(JSON.stringify({ id: `i${i}`, features: features.slice(0, 255) }));
    else if (i === 3000) lines.push(JSON.stringify({ id: 'i5', features }));
    else if (i === 4100) lines.push(JSON.stringify({ id: `i${i}`, features, label: 'nope' }));
    else if (i === 4500) lines.push('');
    else lines.push(JSON.stringify({ id: `i${i}`, text: `t${i}`, features, ...(i % 7 === 0 ? { label: 'b' } : {}) }));
  }
  const file = join(t.dir, 'big.jsonl');
  writeFileSync(file, lines.join('\r\n') + '\n');
  const results = [];
  for (const [name, workers] of [['inline', 0], ['threads', 2]] as const) {
    makeProject(t.deps, { name, labels: ['a', 'b'] });
    const rejectsPath = join(t.dir, `${name}.rejects`);
    const rejects = createWriteStream(rejectsPath);
    const summary = await importItems(t.deps, {
      project: name, source: file, sourceName: 'big.jsonl', format: 'jsonl', split: 'pool', labelSource: 'imported',
      onError: 'skip', upsert: false, maxLineBytes: 1 << 20, rejects, parseWorkers: workers,
    });
    await new Promise((r) => rejects.end(r));
    results.push({ summary, export: await collect(name) });
  }
  const [inline, threads] = results;
  expect(inline!.summary).toMatchObject({ records: 4999, inserted: 4995, rejected: 4, featureDim: 256 });
  expect(inline!.summary.rejects.map((r) => [r.line, r.field ?? null])).toEqual([
    [701, null],
    [2101, 'features'],
    [3001, 'id'],
    [4101, 'label'],
  ]);
  expect({ ...threads!.summary, importId: 0 }).toEqual({ ...inline!.summary, importId: 0 });
  expect(threads!.export.split('\n')).toHaveLength(4996);
  expect(threads!.export).toBe(inline!.export);
});
