import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importText, jsonl, makeProject, makeTestDeps, type TestContext } from '../helpers.js';
import { listItems } from '../../src/modules/items/index.js';

let t: TestContext;
beforeEach(() => {
  t = makeTestDeps();
});
afterEach(() => t.close());

describe('import basics', () => {
  it('imports items with labels and lists them', async () => {
    makeProject(t.deps);
    const s = await importText(t.deps, 'p1', jsonl([{ id: 'x', text: 'hello', label: 'a' }, { id: 'y', text: 'world' }]));
    expect(s).toMatchObject({ records: 2, inserted: 2, annotationsAdded: 1, rejected: 0 });
    const page = listItems(t.deps, 'p1', { limit: 10 });
    expect(page.items.map((i) => [i.id, i.annotations.map((a) => a.label)])).toEqual([
      ['x', ['a']],
      ['y', []],
    ]);
  });
});
