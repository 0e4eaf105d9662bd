import type { Db } from '../../db/index.js';
import { prepared } from '../../db/statements.js';
import { visibleItemSql } from '../../db/visibility.js';
import type { SlotSource, TaskStatus } from '../../db/schema/queue.js';

export interface TaskRow {
  id: number;
  slotId: number;
  projectId: number;
  itemId: number;
  annotatorId: number;
  status: TaskStatus;
  leaseExpiresAt: number;
  finishedAt: number | null;
  annotationId: number | null;
  idempotencyKey: string | null;
}

export interface SlotRow {
  id: number;
  itemId: number;
  source: SlotSource;
  status: 'open' | 'leased' | 'done';
  taskId: number | null;
}

const TASK_COLUMNS = `id, slot_id AS slotId, project_id AS projectId, item_id AS itemId, annotator_id AS annotatorId, status,
  lease_expires_at AS leaseExpiresAt, finished_at AS finishedAt, annotation_id AS annotationId, idempotency_key AS idempotencyKey`;

/** Items the annotator must not get again: labelled, skipped, or held by a live lease of theirs. */
const NOT_SEEN_BY = (item: string) => `NOT EXISTS (SELECT 1 FROM tasks t WHERE t.item_id = ${item} AND t.annotator_id = :annotator
      AND (t.status IN ('done', 'skipped') OR (t.status = 'leased' AND t.lease_expires_at > :now)))
    AND NOT EXISTS (SELECT 1 FROM annotations an WHERE an.item_id = ${item} AND an.annotator_id = :annotator AND an.superseded_at IS NULL)`;

/**
 * The claim: one conditional UPDATE takes the best slot that is open (or whose
 * lease expired) for an item this annotator has not seen. The outer WHERE repeats
 * the free test, so the statement takes the slot only if it is still free.
 *
 * The best open slot and the best expired one are looked up apart and the better
 * of the two is taken: each half walks queue_slots_claim_idx in its own order
 * (priority DESC, id) and stops at its first fit, where one `status IN ('open',
 * 'leased')` range had to test every open and leased slot of the project and sort
 * them (a temp B-tree). The leased half seeks the expired leases through
 * queue_slots_lease_idx (project_id, status, lease_expires_at) instead of reading
 * every live one: 5.5 µs for the whole claim with 200 live leases, against 25–37 µs.
 */
export interface ClaimedSlot {
  id: number;
  itemId: number;
  source: SlotSource;
  /** The task of the expired lease the slot was taken from (null: the slot was open). */
  previousTaskId: number | null;
}

export function claimSlot(db: Db, projectId: number, annotatorId: number, now: number, leaseExpiresAt: number): ClaimedSlot | undefined {
  return prepared(
    db,
    `UPDATE queue_slots SET status = 'leased', lease_expires_at = :expires
      WHERE id = (
        SELECT id FROM (
          SELECT * FROM (
            SELECT s.id, s.priority FROM queue_slots s
             WHERE s.project_id = :project AND s.status = 'open' AND ${NOT_SEEN_BY('s.item_id')}
             ORDER BY s.priority DESC, s.id LIMIT 1)
          UNION ALL
          SELECT * FROM (
            SELECT s.id, s.priority FROM queue_slots s
             WHERE s.project_id = :project AND s.status = 'leased' AND s.lease_expires_at <= :now AND ${NOT_SEEN_BY('s.item_id')}
             ORDER BY s.priority DESC, s.id LIMIT 1))
         ORDER BY priority DESC, id LIMIT 1)
        AND (status = 'open' OR (status = 'leased' AND lease_expires_at <= :now))
      RETURNING id, item_id AS itemId, source, task_id AS previousTaskId`,
  ).get({ project: projectId, annotator: annotatorId, now, expires: leaseExpiresAt }) as ClaimedSlot | undefined;
}

export interface NewTask {
  slotId: number;
  projectId: number;
  itemId: number;
  annotatorId: number;
  now: number;
  leaseExpiresAt: number;
  previousTaskId: number | null;
}

export function insertTask(db: Db, t: NewTask): number {
  // the slot's previous holder (an expired lease) loses it
  if (t.previousTaskId !== null) prepared(db, `UPDATE tasks SET status = 'expired', finished_at = ? WHERE id = ? AND status = 'leased'`).run(t.now, t.previousTaskId);
  const id = Number(
    prepared(db, `INSERT INTO tasks (slot_id, project_id, item_id, annotator_id, status, leased_at, lease_expires_at) VALUES (?, ?, ?, ?, 'leased', ?, ?)`).run(
      t.slotId, t.projectId, t.itemId, t.annotatorId, t.now, t.leaseExpiresAt,
    ).lastInsertRowid,
  );
  prepared(db, `UPDATE queue_slots SET task_id = ? WHERE id = ?`).run(id, t.slotId);
  return id;
}

export function liveTaskOf(db: Db, projectId: number, annotatorId: number, now: number): TaskRow | undefined {
  return prepared(db, `SELECT ${TASK_COLUMNS} FROM tasks WHERE project_id = ? AND annotator_id = ? AND status = 'leased' AND lease_expires_at > ? ORDER BY id LIMIT 1`).get(
    projectId, annotatorId, now,
  ) as TaskRow | undefined;
}

export function findTask(db: Db, id: number): TaskRow | undefined {
  return prepared(db, `SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ?`).get(id) as TaskRow | undefined;
}

export function findSlot(db: Db, id: number): SlotRow | undefined {
  return prepared(db, `SELECT id, item_id AS itemId, source, status, task_id AS taskId FROM queue_slots WHERE id = ?`).get(id) as SlotRow | undefined;
}

export function completeTask(db: Db, task: TaskRow, annotationId: number, key: string | null, now: number): void {
  prepared(db, `UPDATE tasks SET status = 'done', finished_at = ?, annotation_id = ?, idempotency_key = ? WHERE id = ?`).run(now, annotationId, key, task.id);
  prepared(db, `UPDATE queue_slots SET status = 'done', lease_expires_at = NULL WHERE id = ?`).run(task.slotId);
}

export function changeTaskAnnotation(db: Db, taskId: number, annotationId: number, key: string | null): void {
  prepared(db, `UPDATE tasks SET annotation_id = ?, idempotency_key = ? WHERE id = ?`).run(annotationId, key, taskId);
}

export function skipTaskRow(db: Db, task: TaskRow, reason: string | null, now: number): void {
  prepared(db, `UPDATE tasks SET status = 'skipped', finished_at = ?, skip_reason = ? WHERE id = ?`).run(now, reason, task.id);
  prepared(db, `UPDATE queue_slots SET status = 'open', task_id = NULL, lease_expires_at = NULL WHERE id = ? AND task_id = ?`).run(task.slotId, task.id);
}

export function insertTaskAnnotation(db: Db, a: { itemId: number; projectId: number; annotatorId: number; value: string; source: 'task' | 'review'; durationMs: number | null; now: number }): number {
  prepared(db, `UPDATE annotations SET superseded_at = ? WHERE item_id = ? AND annotator_id = ? AND superseded_at IS NULL`).run(a.now, a.itemId, a.annotatorId);
  return Number(
    prepared(db, `INSERT INTO annotations (item_id, project_id, annotator_id, value, source, duration_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
      a.itemId, a.projectId, a.annotatorId, a.value, a.source, a.durationMs, a.now,
    ).lastInsertRowid,
  );
}

export function annotationValue(db: Db, id: number): { value: string; createdAt: number } | undefined {
  return prepared(db, `SELECT value, created_at AS createdAt FROM annotations WHERE id = ?`).get(id) as { value: string; createdAt: number } | undefined;
}

export interface QueueCandidate {
  id: number;
  externalId: string;
  split: 'pool' | 'eval';
  have: number;
}

/**
 * Pool and eval items with no queue slot yet. `items.queued` is set with the item's first slot, in the same
 * transaction (a rolled-back claim leaves the item unqueued), and items_project_unqueued_idx holds exactly these
 * items: a refill or a count reads only them. Testing every item for a slot instead took ~1 s per claim on a
 * 200,000-item project whose items were all queued, inside the write transaction (BENCHMARKS.md §5).
 */
const UNQUEUED = `i.queued = 0 AND i.split IN ('pool', 'eval')`;

/** The next items in cold-start order (the stored seeded key) that are not queued yet. */
export function nextUnqueuedItems(db: Db, projectId: number, limit: number): QueueCandidate[] {
  return prepared(
    db,
    `SELECT i.id, i.external_id AS externalId, i.split,
            (SELECT count(*) FROM annotations a WHERE a.item_id = i.id AND a.superseded_at IS NULL AND a.source IN ('import', 'task')) AS have
       FROM items i INDEXED BY items_project_unqueued_idx
      WHERE i.project_id = ? AND ${UNQUEUED} AND ${visibleItemSql('i')}
      ORDER BY i.rand, i.id LIMIT ?`,
  ).all(projectId, limit) as QueueCandidate[];
}

/** Adds a slot and marks its item queued (the only place slots are made, so the mark cannot drift). */
export function insertSlot(db: Db, s: { projectId: number; itemId: number; source: SlotSource; priority: number; status: 'open' | 'done'; now: number }): number {
  const id = Number(
    prepared(db, `INSERT INTO queue_slots (project_id, item_id, source, priority, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`).run(
      s.projectId, s.itemId, s.source, s.priority, s.status, s.now,
    ).lastInsertRowid,
  );
  prepared(db, `UPDATE items SET queued = 1 WHERE id = ? AND queued = 0`).run(s.itemId);
  return id;
}

/** A gold item the annotator has not answered yet, in the seeded order. */
export function nextGoldItem(db: Db, projectId: number, annotatorId: number, now: number): number | undefined {
  const row = prepared(
    db,
    `SELECT i.id FROM items i
      WHERE i.project_id = :project AND i.split = 'gold' AND ${visibleItemSql('i')}
        AND EXISTS (SELECT 1 FROM annotations g WHERE g.item_id = i.id AND g.source = 'gold' AND g.superseded_at IS NULL)
        AND ${NOT_SEEN_BY('i.id')}
      ORDER BY i.rand, i.id LIMIT 1`,
  ).get({ project: projectId, annotator: annotatorId, now }) as { id: number } | undefined;
  return row?.id;
}

export function doneCount(db: Db, projectId: number, annotatorId: number, since = 0): number {
  return (prepared(db, `SELECT count(*) AS n FROM tasks WHERE project_id = ? AND annotator_id = ? AND status = 'done' AND finished_at >= ?`).get(projectId, annotatorId, since) as { n: number }).n;
}

/** Current non-gold labels of an item by annotators (not reviews), to decide whether it goes to review. */
export function itemVotes(db: Db, itemId: number): string[] {
  return (prepared(db, `SELECT value FROM annotations WHERE item_id = ? AND superseded_at IS NULL AND source IN ('import', 'task')`).all(itemId) as { value: string }[]).map((r) => r.value);
}

export function openSlotsOfItem(db: Db, itemId: number): number {
  return (prepared(db, `SELECT count(*) AS n FROM queue_slots WHERE item_id = ? AND status <> 'done'`).get(itemId) as { n: number }).n;
}

export function queueCounts(db: Db, projectId: number, now: number): { source: SlotSource; state: 'open' | 'leased' | 'done'; n: number }[] {
  return prepared(
    db,
    `SELECT source, CASE WHEN status = 'leased' AND lease_expires_at <= ? THEN 'open' ELSE status END AS state, count(*) AS n
       FROM queue_slots WHERE project_id = ? GROUP BY 1, 2`,
  ).all(now, projectId) as { source: SlotSource; state: 'open' | 'leased' | 'done'; n: number }[];
}

/** Slots an annotator could be given now: open, or leased with the lease run out (two ranges of queue_slots_lease_idx). */
export function claimableSlotCount(db: Db, projectId: number, now: number): number {
  return (
    prepared(
      db,
      `SELECT (SELECT count(*) FROM queue_slots WHERE project_id = :project AND status = 'open')
            + (SELECT count(*) FROM queue_slots WHERE project_id = :project AND status = 'leased' AND lease_expires_at <= :now) AS n`,
    ).get({ project: projectId, now }) as { n: number }
  ).n;
}

/**
 * Unqueued items the queue can see: the whole partial index (read without touching the rows), less those of
 * imports not committed yet (found through items_import_idx; almost always none).
 */
export function unqueuedCount(db: Db, projectId: number): number {
  return (
    prepared(
      db,
      `SELECT (SELECT count(*) FROM items i INDEXED BY items_project_unqueued_idx WHERE i.project_id = :project AND ${UNQUEUED})
            - (SELECT count(*) FROM items i INDEXED BY items_import_idx
                WHERE i.import_id IN (SELECT id FROM imports WHERE project_id = :project AND state <> 'committed')
                  AND i.project_id = :project AND ${UNQUEUED}) AS n`,
    ).get({ project: projectId }) as { n: number }
  ).n;
}

export function leaseSlot(db: Db, slotId: number, expires: number): void {
  prepared(db, `UPDATE queue_slots SET status = 'leased', lease_expires_at = ? WHERE id = ?`).run(expires, slotId);
}
