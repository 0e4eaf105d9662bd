import type { Db } from '../../db/index.js';
import { prepared } from '../../db/statements.js';

/**
 * An item goes to review (once) when its agreement score, the share of its
 * labels that the most common label has, is below `threshold` (1: any disagreement).
 */
export function openReviewIfDisputed(db: Db, projectId: number, itemId: number, votes: string[], threshold: number, now: number): boolean {
  if (votes.length < 2) return false;
  const counts = new Map<string, number>();
  for (const v of votes) counts.set(v, (counts.get(v) ?? 0) + 1);
  if (Math.max(...counts.values()) / votes.length >= threshold) return false;
  return prepared(db, `INSERT INTO reviews (project_id, item_id, status, created_at) VALUES (?, ?, 'open', ?) ON CONFLICT (item_id) DO NOTHING`).run(projectId, itemId, now).changes === 1;
}

export interface ReviewRow {
  id: number;
  projectId: number;
  itemId: number;
  status: 'open' | 'leased' | 'resolved';
  reviewerId: number | null;
  leaseExpiresAt: number | null;
}

const COLUMNS = `id, project_id AS projectId, item_id AS itemId, status, reviewer_id AS reviewerId, lease_expires_at AS leaseExpiresAt`;

export function liveReviewOf(db: Db, projectId: number, reviewerId: number, now: number): ReviewRow | undefined {
  return prepared(db, `SELECT ${COLUMNS} FROM reviews WHERE project_id = ? AND reviewer_id = ? AND status = 'leased' AND lease_expires_at > ? LIMIT 1`).get(projectId, reviewerId, now) as ReviewRow | undefined;
}

/** Same shape as the task claim: one conditional UPDATE takes the oldest open (or expired) review. */
export function claimReview(db: Db, projectId: number, reviewerId: number, now: number, expires: number): ReviewRow | undefined {
  return prepared(
    db,
    `UPDATE reviews SET status = 'leased', reviewer_id = :reviewer, lease_expires_at = :expires
      WHERE id = (SELECT id FROM reviews WHERE project_id = :project AND (status = 'open' OR (status = 'leased' AND lease_expires_at <= :now)) ORDER BY id LIMIT 1)
        AND (status = 'open' OR (status = 'leased' AND lease_expires_at <= :now))
      RETURNING ${COLUMNS}`,
  ).get({ project: projectId, reviewer: reviewerId, now, expires }) as ReviewRow | undefined;
}

export function findReview(db: Db, id: number): ReviewRow | undefined {
  return prepared(db, `SELECT ${COLUMNS} FROM reviews WHERE id = ?`).get(id) as ReviewRow | undefined;
}

export function resolveReviewRow(db: Db, id: number, reviewerId: number, annotationId: number, now: number): void {
  prepared(db, `UPDATE reviews SET status = 'resolved', reviewer_id = ?, annotation_id = ?, resolved_at = ?, lease_expires_at = NULL WHERE id = ?`).run(reviewerId, annotationId, now, id);
}

export function reviewCounts(db: Db, projectId: number): { open: number; resolved: number } {
  const r = prepared(db, `SELECT coalesce(sum(status <> 'resolved'), 0) AS open, coalesce(sum(status = 'resolved'), 0) AS resolved FROM reviews WHERE project_id = ?`).get(projectId) as { open: number; resolved: number };
  return r;
}

/** The labels under review, in a stable order; the reviewer sees them without names. */
export function disputedLabels(db: Db, itemId: number): string[] {
  return (prepared(db, `SELECT value FROM annotations WHERE item_id = ? AND superseded_at IS NULL AND source IN ('import', 'task') ORDER BY id`).all(itemId) as { value: string }[]).map((r) => r.value);
}
