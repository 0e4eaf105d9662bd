import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'quorum-start-'));
const dbPath = join(dir, 'quorum.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the built server as `npm start` does, and resolves with what it printed once it is listening. */
function start(): Promise<{ child: ChildProcess; output: string; url: string }> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: root,
    env: { ...process.env, QUORUM_DB: dbPath, PORT: '0', QUORUM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Quorum is running at (http:\/\/\S+)/.exec(output);
      if (m && /annotator\s+\S+\s+token/.test(output)) {
        clearTimeout(timer);
        resolve({ child, output, url: m[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  child.removeAllListeners('exit');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

const token = (output: string, who: 'admin' | 'annotator') => new RegExp(`${who}\\s+\\S+\\s+token (qrm_\\S+)`).exec(output)![1]!;

describe('npm start', () => {
  it('creates the database and a demo project on real data, then reuses them', async () => {
    const first = await start();
    expect(statSync(dbPath).isFile()).toBe(true);
    const admin = token(first.output, 'admin');
    const annotator = token(first.output, 'annotator');
    const health = await fetch(`${first.url}/health`);
    expect(health.status).toBe(200);
    const project = (await (await fetch(`${first.url}/api/v1/projects/demo-spam`, { headers: { authorization: `Bearer ${admin}` } })).json()) as {
      labels: string[];
      counts: { items: number; pool: number; eval: number; labeled: number };
    };
    expect(project.labels).toEqual(['ham', 'spam']);
    expect(project.counts).toMatchObject({ items: 6046, pool: 4836, eval: 1210, labeled: 1210 });
    const me = (await (await fetch(`${first.url}/api/v1/me`, { headers: { authorization: `Bearer ${annotator}` } })).json()) as { role: string };
    expect(me.role).toBe('annotator');
    expect(await stop(first.child)).toBe(0);

    const db = new Database(dbPath, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const counts = () => db.prepare(`SELECT (SELECT count(*) FROM projects) p, (SELECT count(*) FROM users) u, (SELECT count(*) FROM items) i, (SELECT count(*) FROM annotations) a`).get();
    const before = counts();

    const second = await start();
    expect(token(second.output, 'admin')).toBe(admin);
    expect(token(second.output, 'annotator')).toBe(annotator);
    expect(counts()).toEqual(before);
    expect(before).toEqual({ p: 1, u: 3, i: 6046, a: 1210 });
    await stop(second.child);
    db.close();
  });

  it('says clearly when the port is taken', async () => {
    const first = await start();
    const port = new URL(first.url).port;
    const child = spawn(process.execPath, ['dist/src/main.js'], { cwd: root, env: { ...process.env, QUORUM_DB: dbPath, PORT: port }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err.trim()).toBe(`quorum: port ${port} on 127.0.0.1 is already in use; pass --port or set PORT`);
    await stop(first.child);
  });
});
