// Query plans and timings of the listing's two queries, as src/modules/items/items.repo.ts
// builds them (SQL copied from there; the visibility predicate imported from dist), on a
// COPY of the listing database: as is, after ANALYZE, and with an index on items(project_id, id).
// Also grows the annotations table (on the copy) to show how the annotation lookup scales.
//
//   node bench/sql-plans.js        (needs bench/out/listing.db: run `node bench/listing.js` first,
//                                   or it is built here with 50,000 items)
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { OUT, fmt, freshDb, isMain, table } from './lib.js';
import { prepareListingDb } from './listing.js';

const { visibleItemSql, visibleAnnotationSql } = await import('../dist/src/db/visibility.js');

const ITEM_COLUMNS = `i.id, i.external_id AS externalId, i.split, i.text, i.meta, i.created_at AS createdAt, i.updated_at AS updatedAt`;
const pageSql = (split) =>
  `SELECT ${ITEM_COLUMNS}, NULL AS features FROM items i WHERE i.project_id = ? AND ${visibleItemSql('i')} AND i.id > ?${split ? ' AND i.split = ?' : ''} ORDER BY i.id LIMIT ?`;
const annSql = (n, hint = '') =>
  `SELECT a.item_id AS itemId, u.name AS annotator, a.value, a.created_at AS createdAt
     FROM annotations a ${hint} JOIN users u ON u.id = a.annotator_id
    WHERE a.item_id IN (${Array(n).fill('?').join(',')}) AND a.superseded_at IS NULL AND ${visibleAnnotationSql('a')}
    ORDER BY a.item_id, a.created_at, a.id`;

function timeIt(st, args, n = 20) {
  st.all(...args);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) st.all(...args);
  return (performance.now() - t0) / n;
}

const plan = (db, sql, args) => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args).map((r) => r.detail).join('; ');

function pageRows(db, label) {
  const rows = [];
  for (const [name, split, off] of [['no split, first page', null, 0], ['no split, cursor at 10k', null, 10_000], ['no split, cursor at 45k', null, 45_000], ['split=pool, first page', 'pool', 0]]) {
    const args = split ? [1, off, split, 101] : [1, off, 101];
    rows.push([label, name, fmt.ms(timeIt(db.prepare(pageSql(split)), args)), plan(db, pageSql(split), args)]);
  }
  return rows;
}

/** Each scenario on its own fresh copy, so that ANALYZE statistics or an index never leak into another. */
function withCopy(work) {
  const src = join(OUT, 'listing.db');
  if (!existsSync(src)) throw new Error('bench/out/listing.db is missing');
  const copy = freshDb(join(OUT, 'sql-plans.db'));
  copyFileSync(src, copy);
  const db = new Database(copy);
  try {
    return work(db);
  } finally {
    db.close();
    freshDb(copy);
  }
}

export function sqlPlans() {
  const out = { page: [], annotations: [] };
  out.page.push(...withCopy((db) => pageRows(db, 'as is')));
  out.page.push(...withCopy((db) => (db.exec('ANALYZE'), pageRows(db, 'after ANALYZE'))));
  out.page.push(...withCopy((db) => (db.exec('CREATE INDEX bench_items_project_id ON items (project_id, id)'), pageRows(db, 'index (project_id, id)'))));

  withCopy((db) => {
    const ids = db.prepare('SELECT id FROM items ORDER BY id LIMIT 100').all().map((r) => r.id);
    const annRow = () => {
      const count = db.prepare('SELECT count(*) AS c FROM annotations').get().c;
      return [
        fmt.int(count),
        fmt.ms(timeIt(db.prepare(annSql(ids.length)), ids)),
        fmt.ms(timeIt(db.prepare(annSql(ids.length, 'INDEXED BY annotations_item_idx')), ids)),
        plan(db, annSql(ids.length), ids),
      ];
    };
    out.annotations.push(annRow());
    // five more annotations on every item (same annotator; only the row count matters here)
    const annotator = db.prepare('SELECT id FROM users ORDER BY id LIMIT 1').get().id;
    db.exec(`INSERT INTO annotations (item_id, project_id, annotator_id, value, source, created_at)
             SELECT i.id, i.project_id, ${annotator}, '"l1"', 'import', 0 FROM items i,
             (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5)`);
    out.annotations.push(annRow());
  });
  return out;
}

if (isMain(import.meta.url)) {
  if (!existsSync(join(OUT, 'listing.db'))) await prepareListingDb();
  const r = sqlPlans();
  console.log('items page query (items.repo.ts findItemsPage), 50,000 items, median of 20:');
  console.log(table([['database', 'request', 'time', 'plan'], ...r.page]));
  console.log('\nannotations of one 100-item page (items.repo.ts findAnnotationsOf):');
  console.log(table([['annotations in db', 'as written', 'INDEXED BY annotations_item_idx', 'plan as written'], ...r.annotations]));
}
