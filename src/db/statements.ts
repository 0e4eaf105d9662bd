import type { Statement } from 'better-sqlite3';
import type { Db } from './client.js';

const cache = new WeakMap<Db, Map<string, Statement>>();

/** A prepared statement per database and SQL text, prepared once (hot read paths). */
export function prepared(db: Db, sql: string): Statement {
  let byDb = cache.get(db);
  if (!byDb) cache.set(db, (byDb = new Map()));
  let st = byDb.get(sql);
  if (!st) byDb.set(sql, (st = db.$client.prepare(sql)));
  return st;
}
