import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { projectRoot } from '../core/paths.js';
import * as schema from './schema/index.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenDbOptions {
  /** Apply the committed migrations (default true). */
  migrate?: boolean;
  readonly?: boolean;
}

/**
 * Opens the SQLite file in WAL mode with foreign keys on, and a busy timeout so
 * a CLI import and the server can write to the same file.
 */
export function openDb(path: string, options: OpenDbOptions = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path, { readonly: options.readonly ?? false });
  if (path !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('cache_size = -65536');
  const db = drizzle(sqlite, { schema }) as Db;
  if (options.migrate ?? true) migrateDb(db);
  return db;
}

export function migrateDb(db: Db): void {
  migrate(db, { migrationsFolder: join(projectRoot(), 'src', 'db', 'migrations') });
}

const runners = new WeakMap<Database.Database, Database.Transaction<(work: () => unknown) => unknown>>();

/**
 * One wrapper per connection that runs the function it is given in a transaction
 * (a savepoint when one is open): better-sqlite3's transaction() builds four
 * wrapped variants each time it is called, 5% of the queue writer's CPU when it
 * was called per write.
 */
export function transactionRunner(sqlite: Database.Database): Database.Transaction<(work: () => unknown) => unknown> {
  let run = runners.get(sqlite);
  if (!run) runners.set(sqlite, (run = sqlite.transaction((work: () => unknown) => work())));
  return run;
}

/**
 * The one transaction seam. better-sqlite3 transactions are synchronous: the
 * callback must not be async and must not await models or HTTP inside.
 */
export function runInTransaction<T>(db: Db, work: () => T): T {
  const result = transactionRunner(db.$client).immediate(work) as T;
  if (result instanceof Promise) throw new Error('runInTransaction: the callback must be synchronous');
  return result;
}

export function closeDb(db: Db): void {
  if (db.$client.open) db.$client.close();
}
