import type { AnnotationSource } from '../../db/schema/items.js';
import { prepared } from '../../db/statements.js';
import type { Db } from '../../db/index.js';
import { visibleAnnotationSql, visibleItemSql } from '../../db/visibility.js';
import type { Split } from '../../core/labels.js';

export interface ItemRecord {
  id: number;
  externalId: string;
  split: Split;
  text: string | null;
  features: Buffer | null;
  meta: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface AnnotationRecord {
  itemId: number;
  annotator: string;
  value: string;
  source: AnnotationSource;
  createdAt: number;
}

const ITEM_COLUMNS = `i.id, i.external_id AS externalId, i.split, i.text, i.meta, i.created_at AS createdAt, i.updated_at AS updatedAt`;

export interface ItemFilter {
  split?: Split;
  labeled?: boolean;
  afterId: number;
  limit: number;
  withFeatures: boolean;
}

const CURRENT_ANNOTATION = `EXISTS (SELECT 1 FROM annotations a WHERE a.item_id = i.id AND a.superseded_at IS NULL AND ${visibleAnnotationSql('a')})`;

/** Keyset page of visible items, by internal id: stable while imports add rows. */
export function findItemsPage(db: Db, projectId: number, f: ItemFilter): ItemRecord[] {
  const where = [`i.project_id = ?`, visibleItemSql('i'), `i.id > ?`];
  const params: unknown[] = [projectId, f.afterId];
  if (f.split) {
    where.push(`i.split = ?`);
    params.push(f.split);
  }
  if (f.labeled !== undefined) where.push(f.labeled ? CURRENT_ANNOTATION : `NOT ${CURRENT_ANNOTATION}`);
  params.push(f.limit);
  const cols = f.withFeatures ? `${ITEM_COLUMNS}, i.features` : `${ITEM_COLUMNS}, NULL AS features`;
  return prepared(db, `SELECT ${cols} FROM items i WHERE ${where.join(' AND ')} ORDER BY i.id LIMIT ?`).all(...params) as ItemRecord[];
}

export function findItemByExternalId(db: Db, projectId: number, externalId: string): ItemRecord | undefined {
  return prepared(db, `SELECT ${ITEM_COLUMNS}, i.features FROM items i WHERE i.project_id = ? AND i.external_id = ? AND ${visibleItemSql('i')}`)
    .get(projectId, externalId) as ItemRecord | undefined;
}

/** Current annotations of the given items, oldest first (ids passed as one JSON array: one cached statement). */
export function findAnnotationsOf(db: Db, itemIds: number[]): AnnotationRecord[] {
  if (itemIds.length === 0) return [];
  return prepared(
    db,
    `SELECT a.item_id AS itemId, u.name AS annotator, a.value, a.source, a.created_at AS createdAt
       FROM annotations a JOIN users u ON u.id = a.annotator_id
      WHERE a.item_id IN (SELECT value FROM json_each(?)) AND a.superseded_at IS NULL AND ${visibleAnnotationSql('a')}
      ORDER BY a.item_id, a.created_at, a.id`,
  ).all(JSON.stringify(itemIds)) as AnnotationRecord[];
}

export function findItemById(db: Db, itemId: number, withFeatures = true): ItemRecord | undefined {
  return prepared(db, `SELECT ${ITEM_COLUMNS}, ${withFeatures ? 'i.features' : 'NULL AS features'} FROM items i WHERE i.id = ?`).get(itemId) as ItemRecord | undefined;
}
