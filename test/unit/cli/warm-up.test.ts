import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/index.js';
import { commandOf, importFileOf, IMPORT_VALUED_OPTIONS } from '../../../src/cli/warm-up.js';
import { loadConfig } from '../../../src/config/index.js';

describe('the CLI warm-up reads the command line as commander does', () => {
  it('finds the command word past the global options', () => {
    expect(commandOf(['--db', 'import', '--json', 'import', 'P', 'f.jsonl'])).toBe('import');
    expect(commandOf(['--json', 'project', 'list'])).toBe('project');
    expect(commandOf(['--db=x.db', 'jobs'])).toBe('jobs');
    expect(commandOf(['--version'])).toBeUndefined();
  });

  it('finds the file of an import, skipping option values, and only a JSONL one', () => {
    expect(importFileOf(['import', 'P', 'items.jsonl'])).toBe('items.jsonl');
    expect(importFileOf(['--db', 'q.db', 'import', '--split', 'eval', '--label-source', 'x.jsonl', 'P', '--upsert', 'a.ndjson'])).toBe('a.ndjson');
    expect(importFileOf(['import', '--rejects', 'r.jsonl', '--on-error', 'skip', 'P', 'b.json'])).toBe('b.json');
    expect(importFileOf(['import', 'P', 'data.txt', '--format', 'jsonl'])).toBe('data.txt');
    expect(importFileOf(['import', 'P', 'data.txt', '--format=jsonl'])).toBe('data.txt');
    expect(importFileOf(['import', 'P', 'items.jsonl', '--format', 'csv'])).toBeUndefined();
    expect(importFileOf(['import', 'P', 'items.csv'])).toBeUndefined();
    expect(importFileOf(['import', 'P', 'items.jsonl.gz'])).toBeUndefined();
    expect(importFileOf(['export', 'P', 'items.jsonl'])).toBeUndefined();
    expect(importFileOf(['import', 'P'])).toBeUndefined();
  });

  it("knows every option of the import command that takes a value, and the configuration's line limit", async () => {
    const importCommand = (await buildProgram('import')).commands.find((c) => c.name() === 'import')!;
    const valued = importCommand.options.filter((o) => o.required || o.optional).map((o) => o.long);
    expect([...valued].sort()).toEqual([...IMPORT_VALUED_OPTIONS].sort());
    const globals = (await buildProgram()).options.filter((o) => o.required || o.optional).map((o) => o.long);
    expect(globals).toEqual(['--db']);
    expect(loadConfig({}).maxLineBytes).toBe(16 * 1024 * 1024);
  });
});
