/**
 * The real CLI (`node bin/quorum.js`, built by the global setup) run as a child
 * process against a database in a temporary folder: exit codes (0 ok, 1
 * failure, 2 usage), one-line errors, --json output, and export → import
 * round trips that must reproduce the export byte for byte.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../src/modules/items/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin', 'quorum.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let db: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'quorum-cli-'));
  db = join(dir, 'q.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.QUORUM_DB;
  delete env.DATABASE_URL;
  return env;
}

/** Runs `quorum --db <tmp>/q.db ...args`. */
function quorum(args: string[], opts: { env?: Record<string, string>; noDb?: boolean } = {}): Promise<Result> {
  const argv = [BIN, ...(opts.noDb ? [] : ['--db', db]), ...args];
  return new Promise((done) => {
    execFile(process.execPath, argv, { cwd: ROOT, env: cleanEnv(opts.env), maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Runs a command that must succeed and returns its stdout. */
async function ok(args: string[], env?: Record<string, string>): Promise<string> {
  const r = await quorum(args, env ? { env } : {});
  expect(r, `quorum ${args.join(' ')}\n${r.stderr}`).toMatchObject({ code: 0 });
  return r.stdout;
}

async function okJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const out = await ok(['--json', ...args]);
  return JSON.parse(out) as T;
}

/** stderr must be exactly one line. */
function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines, `stderr: ${stderr}`).toHaveLength(1);
  expect(stderr.endsWith('\n')).toBe(true);
  return lines[0]!;
}

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function jsonl(records: unknown[]): string {
  return records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
}

interface ProjectJson {
  id: number;
  name: string;
  labels: string[];
  multiLabel: boolean;
  scale: string;
  featureDim: number | null;
  counts: { items: number; pool: number; eval: number; gold: number; labeled: number; annotations: number };
}

type ImportJson = ImportSummary & { jobId: number };

interface JobJson {
  id: number;
  type: string;
  projectId: number | null;
  status: string;
  error: string | null;
  result: Record<string, unknown> | null;
  params: Record<string, unknown>;
  progress: { done: number; total: number | null; unit: string | null };
}

describe('quorum CLI: usage', () => {
  it('--help prints the commands and exits 0', async () => {
    const r = await quorum(['--help'], { noDb: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: quorum');
    for (const c of ['project', 'import', 'export', 'user', 'jobs', 'serve', 'init']) expect(r.stdout).toContain(c);
    const sub = await quorum(['import', '--help'], { noDb: true });
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--on-error <mode>');
  });

  it('an unknown command exits 2 with a one-line message', async () => {
    const r = await quorum(['frobnicate']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe("error: unknown command 'frobnicate'");
    expect(r.stdout).toBe('');
  });

  it('an unknown option exits 2 with a one-line message', async () => {
    const r = await quorum(['project', 'list', '--bogus']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe("error: unknown option '--bogus'");
  });

  it('a missing required option exits 2', async () => {
    const r = await quorum(['project', 'create', 'P']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe("error: required option '--labels <labels>' not specified");
  });

  it('bad flag values exit 2 with one line naming the flag and the allowed values', async () => {
    await ok(['project', 'create', 'P', '--labels', 'a,b']);
    const data = file('x.jsonl', jsonl([{ id: 'x', text: 't' }]));
    const cases: [string[], string][] = [
      [['import', 'P', data, '--split', 'nowhere'], 'quorum: --split must be one of pool, eval, gold, got "nowhere"'],
      [['project', 'create', 'Q', '--labels', 'a,b', '--scale', 'foo'], 'quorum: --scale must be one of nominal, ordinal, interval, ratio, got "foo"'],
      [['import', 'P', data, '--on-error', 'maybe'], 'quorum: --on-error must be one of abort, skip, got "maybe"'],
      [['import', 'P', data, '--format', 'xml'], 'quorum: --format must be one of jsonl, csv, got "xml"'],
      [['user', 'add', 'u', '--role', 'god'], 'quorum: --role must be one of admin, annotator, reviewer, viewer, got "god"'],
      [['jobs', 'show', 'abc'], 'quorum: job id must be a number, got "abc"'],
      [['jobs', 'list', '--limit', '0'], 'quorum: --limit must be a whole number from 1 to 1000'],
      [['project', 'create', 'Q', '--labels', '["a",1]'], `quorum: --labels: a JSON list must be an array of strings, e.g. '["a","b"]'`],
      [['import', 'P', join(dir, 'missing.jsonl')], `quorum: ${join(dir, 'missing.jsonl')}: no such file`],
      [['import', 'P', data, '--rejects', join(dir, 'r.jsonl')], 'quorum: --rejects needs --on-error skip'],
    ];
    const results = await Promise.all(cases.map(([args]) => quorum(args)));
    for (const [i, [args, message]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, args.join(' ')).toBe(2);
      expect(oneLine(r.stderr), args.join(' ')).toBe(message);
      expect(r.stdout, args.join(' ')).toBe('');
    }
    // nothing was created by the rejected commands
    expect((await okJson<ProjectJson[]>(['project', 'list'])).map((p) => p.name)).toEqual(['P']);
    expect(await okJson<JobJson[]>(['jobs'])).toEqual([]);
  });
});

describe('quorum CLI: failures', () => {
  it('an unknown project exits 1 with one line', async () => {
    const data = file('x.jsonl', jsonl([{ id: 'x', text: 't' }]));
    for (const args of [['project', 'show', 'nope'], ['import', 'nope', data], ['export', 'nope']]) {
      const r = await quorum(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(oneLine(r.stderr)).toBe('quorum: project "nope" not found');
      expect(r.stdout).toBe('');
    }
  });

  it('a bad import line exits 1 with one line naming file:line and field, and imports nothing', async () => {
    await ok(['project', 'create', 'P', '--labels', 'neg,pos']);
    const data = file('bad.jsonl', jsonl([{ id: 'a', text: 't', features: [1, 2] }, { id: 'b', text: 'u', features: [3, 4] }, { id: 'c', features: [1, 'NaN'] }, { id: 'd', text: 'w' }]));
    const r = await quorum(['import', 'P', data]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe('quorum: bad.jsonl:3: features[1]: must be a finite number, got the string "NaN"');
    expect(r.stdout).toBe('');
    const p = await okJson<ProjectJson>(['project', 'show', 'P']);
    expect(p.counts.items).toBe(0);
    expect(p.featureDim).toBeNull();

    const label = file('label.jsonl', jsonl([{ id: 'a', text: 't' }, '', { id: 'b', text: 'u', annotations: [{ annotator: 'x', label: 'maybe' }] }]));
    const r2 = await quorum(['import', 'P', label]);
    expect(r2.code).toBe(1);
    expect(oneLine(r2.stderr)).toBe(`quorum: label.jsonl:3: annotations[0].label: unknown label "maybe"; the project's labels are "neg", "pos"`);

    const broken = file('broken.jsonl', '{"id":"a","text":"t"}\n{"id":"b",\n');
    const r3 = await quorum(['import', 'P', broken]);
    expect(r3.code).toBe(1);
    expect(oneLine(r3.stderr)).toMatch(/^quorum: broken\.jsonl:2: malformed JSON: /);

    // the failed jobs are recorded with the same message
    const jobs = await okJson<JobJson[]>(['jobs']);
    expect(jobs.map((j) => [j.status, j.error])).toEqual([
      ['failed', expect.stringMatching(/^broken\.jsonl:2: malformed JSON: /)],
      ['failed', `label.jsonl:3: annotations[0].label: unknown label "maybe"; the project's labels are "neg", "pos"`],
      ['failed', 'bad.jsonl:3: features[1]: must be a finite number, got the string "NaN"'],
    ]);
    expect((await okJson<ProjectJson>(['project', 'show', 'P'])).counts.items).toBe(0);
  });

  it('a CSV import names the first bad row, not a later one', async () => {
    await ok(['project', 'create', 'P', '--labels', 'neg,pos']);
    // line 3 has a bad split; line 4 a missing column
    const data = file('rows.csv', 'id,text,split\nr1,ok,pool\nr2,x,nowhere\nr3\nr4,ok,pool\n');
    const r = await quorum(['import', 'P', data]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe('quorum: rows.csv:3: split: must be one of pool, eval, gold, got the string "nowhere"');
  });

  it('with --on-error abort, names the first bad line even when it is a duplicate id', async () => {
    await ok(['project', 'create', 'P', '--labels', 'neg,pos']);
    const data = file('d.jsonl', jsonl([{ id: 'ok1', text: 'a' }, { id: 'ok1', text: 'dup' }, { id: 'x', text: 'b', colour: 1 }]));
    const r = await quorum(['import', 'P', data]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe('quorum: d.jsonl:2: id: id "ok1" appears twice in this file (first at line 1)');
  });

  it('an empty file is a failure', async () => {
    await ok(['project', 'create', 'P', '--labels', 'neg,pos']);
    const r = await quorum(['import', 'P', file('empty.jsonl', '')]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe('quorum: empty.jsonl is empty: there are no items to import');
  });
});

describe('quorum CLI: --json output', () => {
  it('project create, list and show', async () => {
    const created = await okJson<ProjectJson>(['project', 'create', 'P', '--labels', 'neg, neu ,pos', '--scale', 'ordinal', '--description', 'demo']);
    expect(created).toMatchObject({ name: 'P', labels: ['neg', 'neu', 'pos'], multiLabel: false, scale: 'ordinal', featureDim: null });
    expect(created.counts).toEqual({ items: 0, pool: 0, eval: 0, gold: 0, labeled: 0, annotations: 0 });
    const multi = await okJson<ProjectJson>(['project', 'create', 'M', '--labels', '["x","y, z"]', '--multi-label']);
    expect(multi).toMatchObject({ name: 'M', labels: ['x', 'y, z'], multiLabel: true });

    const list = await okJson<ProjectJson[]>(['project', 'list']);
    expect(list.map((p) => [p.id, p.name])).toEqual([
      [created.id, 'P'],
      [multi.id, 'M'],
    ]);
    const byName = await okJson<ProjectJson>(['project', 'show', 'P']);
    const byId = await okJson<ProjectJson>(['project', 'show', String(created.id)]);
    expect(byName).toEqual(created);
    expect(byId).toEqual(created);

    const dup = await quorum(['project', 'create', 'P', '--labels', 'a,b']);
    expect(dup.code).toBe(1);
    expect(oneLine(dup.stderr)).toBe('quorum: a project named "P" already exists');
  });

  it('import reports its summary, and project show the counts', async () => {
    await ok(['project', 'create', 'P', '--labels', 'neg,pos']);
    const data = file(
      'items.jsonl',
      jsonl([
        { id: 'a', text: 'one', label: 'pos' },
        { id: 'b', text: 'two', features: [1, 2, 3], split: 'eval' },
        { id: 'c', text: 'three', annotations: [{ annotator: 'ann', label: 'neg' }, { annotator: 'bob', label: 'pos' }], split: 'gold' },
      ]),
    );
    const s = await okJson<ImportJson>(['import', 'P', data]);
    expect(s).toEqual({
      jobId: expect.any(Number),
      importId: expect.any(Number),
      records: 3,
      inserted: 3,
      updated: 0,
      unchanged: 0,
      annotationsAdded: 3,
      rejected: 0,
      rejects: [],
      featureDim: 3,
    });
    const p = await okJson<ProjectJson>(['project', 'show', 'P']);
    expect(p.featureDim).toBe(3);
    expect(p.counts).toEqual({ items: 3, pool: 1, eval: 1, gold: 1, labeled: 2, annotations: 3 });

    // the same file again: every item unchanged
    const again = await okJson<ImportJson>(['import', 'P', data]);
    expect(again).toMatchObject({ records: 3, inserted: 0, updated: 0, unchanged: 3, annotationsAdded: 0, rejected: 0 });

    // human output
    const human = await ok(['import', 'P', data]);
    expect(human).toBe('imported 3 of 3 records: 0 new, 0 updated, 3 unchanged; 0 annotations added\n');
  });

  it('user add prints the token once; user list never prints it', async () => {
    const added = await okJson<{ id: number; name: string; role: string; token: string; hasToken: boolean }>(['user', 'add', 'alice', '--role', 'annotator']);
    expect(added).toMatchObject({ name: 'alice', role: 'annotator', hasToken: true, token: expect.any(String) });
    expect(added.token.length).toBeGreaterThanOrEqual(20);
    const raw = await ok(['--json', 'user', 'add', 'bob', '--role', 'viewer']);
    const bob = JSON.parse(raw) as { token: string };
    expect(raw.split(bob.token).length - 1).toBe(1);

    const listRaw = await ok(['--json', 'user', 'list']);
    const list = JSON.parse(listRaw) as Record<string, unknown>[];
    expect(list.map((u) => [u.name, u.role, u.hasToken, u.revokedAt])).toEqual([
      ['alice', 'annotator', true, null],
      ['bob', 'viewer', true, null],
    ]);
    for (const u of list) expect(Object.keys(u)).not.toContain('token');
    expect(listRaw).not.toContain(added.token);
    expect(listRaw).not.toContain(bob.token);
    expect(await ok(['user', 'list'])).not.toContain(added.token);

    const dup = await quorum(['user', 'add', 'alice', '--role', 'annotator']);
    expect(dup.code).toBe(1);
    expect(oneLine(dup.stderr)).toBe('quorum: a user named "alice" already exists');
  });

  it('user revoke', async () => {
    const alice = await okJson<{ id: number; token: string }>(['user', 'add', 'alice', '--role', 'admin']);
    const revoked = await okJson<{ name: string; revokedAt: string | null }>(['user', 'revoke', 'alice']);
    expect(revoked.name).toBe('alice');
    expect(Date.parse(revoked.revokedAt!)).not.toBeNaN();
    // by id, and again: stays revoked with the same time
    const again = await okJson<{ revokedAt: string | null }>(['user', 'revoke', String(alice.id)]);
    expect(again.revokedAt).toBe(revoked.revokedAt);
    const list = await okJson<{ name: string; revokedAt: string | null }[]>(['user', 'list']);
    expect(list).toEqual([expect.objectContaining({ name: 'alice', revokedAt: revoked.revokedAt })]);
    expect(await ok(['user', 'revoke', 'alice'])).toBe('revoked alice\n');

    const missing = await quorum(['user', 'revoke', 'nobody']);
    expect(missing.code).toBe(1);
    expect(oneLine(missing.stderr)).toBe('quorum: user "nobody" not found');
  });

  it('jobs, jobs show and jobs cancel of a finished job', async () => {
    const p = await okJson<ProjectJson>(['project', 'create', 'P', '--labels', 'neg,pos']);
    const data = file('items.jsonl', jsonl([{ id: 'a', text: 'one' }, { id: 'b', text: 'two' }]));
    const s = await okJson<ImportJson>(['import', 'P', data]);
    const size = readFileSync(data).length;

    const jobs = await okJson<JobJson[]>(['jobs']);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id: s.jobId, type: 'import', projectId: p.id, status: 'succeeded', error: null });
    expect((await okJson<JobJson[]>(['jobs', 'list', '--project', 'P', '--status', 'succeeded'])).map((j) => j.id)).toEqual([s.jobId]);
    expect(await okJson<JobJson[]>(['jobs', 'list', '--status', 'failed'])).toEqual([]);

    const job = await okJson<JobJson>(['jobs', 'show', String(s.jobId)]);
    expect(job).toMatchObject({
      id: s.jobId,
      type: 'import',
      status: 'succeeded',
      progress: { done: size, total: size, unit: 'bytes' },
      params: { project: p.id, file: data, sourceName: 'items.jsonl', format: 'jsonl', split: 'pool', onError: 'abort', upsert: false },
      result: { records: 2, inserted: 2, importId: s.importId },
    });

    const cancel = await quorum(['jobs', 'cancel', String(s.jobId)]);
    expect(cancel.code).toBe(1);
    expect(oneLine(cancel.stderr)).toBe(`quorum: job ${s.jobId} is already succeeded`);
    expect((await okJson<JobJson>(['jobs', 'show', String(s.jobId)])).status).toBe('succeeded');

    const missing = await quorum(['jobs', 'show', '999']);
    expect(missing.code).toBe(1);
    expect(oneLine(missing.stderr)).toBe('quorum: job 999 not found');
    const missingCancel = await quorum(['jobs', 'cancel', '999']);
    expect(missingCancel.code).toBe(1);
    expect(oneLine(missingCancel.stderr)).toBe('quorum: job 999 not found');
  });
});

const DATASET = [
  { id: 'a1', text: 'plain text', label: 'pos' },
  {
    id: 'a2',
    text: 'commas, "quotes", and\nnewlines\r\nand ünïcödé 😀 \t tab',
    features: [0.1, -2.5, 3e-8, 1e10],
    meta: { z: 1, a: { y: [1, 2], x: null }, s: 'x,"y"' },
    split: 'eval',
  },
  {
    id: 7,
    features: [1, 2, 3, 4],
    annotations: [
      { annotator: 'alice', label: 'neg', createdAt: '2024-01-02T03:04:05.678Z' },
      { annotator: 'bob', label: 'neu' },
    ],
  },
  { id: 'a4', meta: { source: 'web', n: 3 }, label: 'neu', annotations: [{ annotator: 'alice', label: 'pos', createdAt: '2023-12-31T23:59:59.999Z' }], split: 'gold' },
  { id: 'a5', text: ' leading and trailing spaces ', features: [1.5, 0, -0.333333, 65504], split: 'pool' },
  ...Array.from({ length: 1200 }, (_, i) => ({ id: `bulk-${i}`, text: `item ${i}`, features: [i, i / 7, -i, 0.5], ...(i % 3 === 0 ? { label: 'neg' } : {}) })),
];

const DATASET_ANNOTATIONS = DATASET.reduce(
  (n, d) => n + ('label' in d ? 1 : 0) + ('annotations' in d && Array.isArray(d.annotations) ? d.annotations.length : 0),
  0,
);

describe('quorum CLI: export → import round trips', () => {
  it('JSONL: re-importing an export into a new project exports identically', async () => {
    await ok(['project', 'create', 'A', '--labels', 'neg,neu,pos']);
    await ok(['project', 'create', 'B', '--labels', 'neg,neu,pos']);
    await ok(['import', 'A', file('in.jsonl', jsonl(DATASET))]);
    const exportA = await ok(['export', 'A']);

    const lines = exportA.trimEnd().split('\n');
    expect(lines).toHaveLength(DATASET.length);
    const recs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs.map((r) => r.id)).toEqual(DATASET.map((d) => String(d.id)));
    expect(recs[1]).toMatchObject({ id: 'a2', split: 'eval', text: DATASET[1]!.text, features: [0.1, -2.5, 3e-8, 1e10], meta: { a: { x: null, y: [1, 2] }, s: 'x,"y"', z: 1 } });
    expect(recs[2]).toMatchObject({
      id: '7',
      annotations: [
        { annotator: 'alice', label: 'neg', createdAt: '2024-01-02T03:04:05.678Z' },
        { annotator: 'bob', label: 'neu', createdAt: expect.any(String) },
      ],
    });
    expect(recs[4]).toMatchObject({ text: ' leading and trailing spaces ', features: [1.5, 0, -0.333333, 65504] });

    const exportFile = file('a.export.jsonl', exportA);
    const s = await okJson<ImportJson>(['import', 'B', exportFile]);
    expect(s).toMatchObject({ records: DATASET.length, inserted: DATASET.length, rejected: 0, annotationsAdded: DATASET_ANNOTATIONS });
    const exportB = await ok(['export', 'B']);
    expect(exportB).toBe(exportA);

    // --out writes the same bytes
    await ok(['export', 'B', '--out', join(dir, 'b.out.jsonl')]);
    expect(readFileSync(join(dir, 'b.out.jsonl'), 'utf8')).toBe(exportA);

    const a = await okJson<ProjectJson>(['project', 'show', 'A']);
    const b = await okJson<ProjectJson>(['project', 'show', 'B']);
    expect(b.counts).toEqual(a.counts);
    expect(b.featureDim).toBe(4);
  });

  it('CSV: re-importing a CSV export into a new project exports identically (CSV and JSONL)', async () => {
    await ok(['project', 'create', 'A', '--labels', 'neg,neu,pos']);
    await ok(['project', 'create', 'C', '--labels', 'neg,neu,pos']);
    await ok(['import', 'A', file('in.jsonl', jsonl(DATASET))]);
    const csvA = await ok(['export', 'A', '--format', 'csv']);
    expect(csvA.split('\n')[0]).toMatch(/^id,/);
    expect(csvA.split('\n')[0]).toContain('annotations');
    await ok(['export', 'A', '--out', join(dir, 'a.csv')]);
    expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe(csvA);

    const s = await okJson<ImportJson>(['import', 'C', join(dir, 'a.csv')]);
    expect(s).toMatchObject({ records: DATASET.length, inserted: DATASET.length, rejected: 0 });
    expect(await ok(['export', 'C', '--format', 'csv'])).toBe(csvA);
    expect(await ok(['export', 'C'])).toBe(await ok(['export', 'A']));
  });

  it('multi-label: JSONL and CSV round trips keep label sets in project order', async () => {
    for (const n of ['M', 'N', 'O']) await ok(['project', 'create', n, '--labels', 'a,b,c', '--multi-label']);
    await ok([
      'import',
      'M',
      file('m.jsonl', jsonl([{ id: 'm1', text: 'x', label: ['c', 'a'] }, { id: 'm2', text: 'y', label: [], annotations: [{ annotator: 'u', label: ['b', 'a'] }] }, { id: 'm3', text: 'z', label: 'b' }])),
    ]);
    const exportM = await ok(['export', 'M']);
    expect(exportM.trimEnd().split('\n').map((l) => (JSON.parse(l) as { annotations: { label: unknown }[] }).annotations.map((a) => a.label))).toEqual([
      [['a', 'c']],
      [[], ['a', 'b']],
      [['b']],
    ]);
    await ok(['import', 'N', file('m.export.jsonl', exportM)]);
    expect(await ok(['export', 'N'])).toBe(exportM);
    await ok(['export', 'M', '--out', join(dir, 'm.csv')]);
    await ok(['import', 'O', join(dir, 'm.csv')]);
    expect(await ok(['export', 'O'])).toBe(exportM);
  });
});

describe('quorum CLI: --on-error skip', () => {
  it('imports exactly the valid lines and writes each rejected line with its reason', async () => {
    await ok(['project', 'create', 'S', '--labels', 'a,b']);
    const data = file(
      's.jsonl',
      [
        '{"id":"ok1","text":"a","label":"a"}',
        '{"id":"bad1","features":[1,"NaN"]}',
        '{"id":"ok2","text":"b"}',
        '{"id":"bad2","text":"c","label":"zzz"}',
        '{"id":"bad3", text}',
        '',
        '{"id":"ok3","text":"d"}',
        '{"id":"ok1","text":"a again"}',
        '{"id":"bad4","text":"e","colour":"red"}',
        '{"id":"ok4","text":"f","split":"eval"}',
      ].join('\n') + '\n',
    );
    const rejects = join(dir, 'rejects.jsonl');
    const s = await okJson<ImportJson>(['import', 'S', data, '--on-error', 'skip', '--rejects', rejects]);
    expect(s).toMatchObject({ records: 9, inserted: 4, rejected: 5, annotationsAdded: 1 });
    const written = readFileSync(rejects, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { source: string; line: number; field?: string; error: string })
      .sort((x, y) => x.line - y.line); // the order itself is checked below
    expect(written).toEqual([
      { source: 's.jsonl', line: 2, field: 'features[1]', error: 'must be a finite number, got the string "NaN"' },
      { source: 's.jsonl', line: 4, field: 'label', error: 'unknown label "zzz"; the project\'s labels are "a", "b"' },
      { source: 's.jsonl', line: 5, error: expect.stringMatching(/^malformed JSON: /) },
      { source: 's.jsonl', line: 8, field: 'id', error: 'id "ok1" appears twice in this file (first at line 1)' },
      { source: 's.jsonl', line: 9, field: 'colour', error: 'unknown field; known fields are id, split, text, features, meta, label, annotations' },
    ]);
    expect([...s.rejects].sort((x, y) => x.line - y.line)).toEqual(written.map(({ source: _s, ...r }) => r));

    const exported = (await ok(['export', 'S'])).trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; text: string; split: string });
    expect(exported.map((r) => [r.id, r.text, r.split])).toEqual([
      ['ok1', 'a', 'pool'],
      ['ok2', 'b', 'pool'],
      ['ok3', 'd', 'pool'],
      ['ok4', 'f', 'eval'],
    ]);
    expect((await okJson<ProjectJson>(['project', 'show', 'S'])).counts).toMatchObject({ items: 4, labeled: 1, annotations: 1 });

    // human summary names the rejects file and the first reasons
    await ok(['project', 'create', 'T', '--labels', 'a,b']);
    const human = await ok(['import', 'T', data, '--on-error', 'skip', '--rejects', join(dir, 'r2.jsonl')]);
    expect(human.split('\n').slice(0, 3)).toEqual([
      'imported 4 of 9 records: 4 new, 0 updated, 0 unchanged; 1 annotations added',
      `5 rejected (reasons in ${join(dir, 'r2.jsonl')})`,
      '  line 2: features[1]: must be a finite number, got the string "NaN"',
    ]);
  });

  it('writes the rejects in line order (a duplicate id before a later invalid line)', async () => {
    await ok(['project', 'create', 'S', '--labels', 'a,b']);
    const data = file('d.jsonl', jsonl([{ id: 'ok1', text: 'a' }, { id: 'ok1', text: 'dup' }, { id: 'x', text: 'b', colour: 1 }, { id: 'y', text: 'c' }]));
    const rejects = join(dir, 'rejects.jsonl');
    const s = await okJson<ImportJson>(['import', 'S', data, '--on-error', 'skip', '--rejects', rejects]);
    const lines = readFileSync(rejects, 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { line: number }).line);
    expect(lines).toEqual([2, 3]);
    expect(s.rejects.map((r) => r.line)).toEqual([2, 3]);
  });

  it('a file whose lines are all rejected fails', async () => {
    await ok(['project', 'create', 'S', '--labels', 'a,b']);
    const r = await quorum(['import', 'S', file('bad.jsonl', '{"id":1}\n{"id":2}\n'), '--on-error', 'skip']);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe('quorum: bad.jsonl: none of its 2 records could be imported (see the rejects)');
    expect((await okJson<ProjectJson>(['project', 'show', 'S'])).counts.items).toBe(0);
  });

  it('CSV: a row over the line limit is rejected and the rows after it are still imported', async () => {
    await ok(['project', 'create', 'L', '--labels', 'a,b']);
    // QUORUM_MAX_LINE_MB=0.0001 is a limit of 105 bytes
    const data = file('long.csv', ['id,text', 'r1,ok', `r2,${'x'.repeat(300)}`, 'r3,ok', 'r4,ok', 'r5,ok'].join('\n') + '\n');
    const r = await quorum(['--json', 'import', 'L', data, '--on-error', 'skip'], { env: { QUORUM_MAX_LINE_MB: '0.0001' } });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as ImportJson;
    expect(s).toMatchObject({ records: 5, inserted: 4, rejected: 1 });
    expect(s.rejects.map((x) => x.line)).toEqual([3]);
    expect((await okJson<ProjectJson>(['project', 'show', 'L'])).counts.items).toBe(4);
  });

  it('JSONL: a line over the line limit is rejected and the lines after it are imported', async () => {
    await ok(['project', 'create', 'L', '--labels', 'a,b']);
    const data = file('long.jsonl', jsonl([{ id: 'r1', text: 'ok' }, { id: 'r2', text: 'x'.repeat(300) }, { id: 'r3', text: 'ok' }]));
    const r = await quorum(['--json', 'import', 'L', data, '--on-error', 'skip'], { env: { QUORUM_MAX_LINE_MB: '0.0001' } });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as ImportJson;
    expect(s).toMatchObject({ records: 3, inserted: 2, rejected: 1 });
    expect(s.rejects).toEqual([{ line: 2, error: 'line is longer than the 105 bytes limit' }]);
  });
});
