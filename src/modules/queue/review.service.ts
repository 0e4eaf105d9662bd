import { toIso } from '../../core/clock.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import type { LabelValue } from '../../core/labels.js';
import { runInTransaction } from '../../db/index.js';
import type { UserRow } from '../../db/schema/users.js';
import { itemContent, parseLabelValue } from '../items/index.js';
import { resolveProject, settingsOf } from '../projects/index.js';
import { insertTaskAnnotation } from './queue.repo.js';
import type { QueueDeps } from './queue.service.js';
import { claimReview, disputedLabels, findReview, liveReviewOf, resolveReviewRow, type ReviewRow } from './reviews.repo.js';

export interface ClaimedReview {
  reviewId: number;
  item: { id: string; text: string | null; meta: Record<string, unknown> | null };
  /** The conflicting labels, annotators anonymised as A, B, C… */
  labels: { annotator: string; label: LabelValue }[];
  leaseExpiresAt: string;
}

function toClaimed(deps: QueueDeps, r: ReviewRow): ClaimedReview {
  const item = itemContent(deps, r.itemId);
  const labels = disputedLabels(deps.db, r.itemId).map((v, i) => ({ annotator: String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : ''), label: JSON.parse(v) as LabelValue }));
  return { reviewId: r.id, item: { id: item.id, text: item.text, meta: item.meta }, labels, leaseExpiresAt: toIso(r.leaseExpiresAt)! };
}

/** The next disputed item for a reviewer (the one they hold, else the oldest open one), leased like a task. */
export function claimNextReview(deps: QueueDeps, projectRef: string | number, user: UserRow): ClaimedReview | null {
  const project = resolveProject(deps, projectRef);
  const s = settingsOf(project.settings);
  const review = runInTransaction(deps.db, () => {
    const now = deps.clock.now();
    return liveReviewOf(deps.db, project.id, user.id, now) ?? claimReview(deps.db, project.id, user.id, now, now + s.leaseSeconds * 1000);
  });
  return review ? toClaimed(deps, review) : null;
}

/** The reviewer's final label: stored as a `review` annotation, it wins over the vote in consensus. */
export function resolveReview(deps: QueueDeps, reviewId: number, user: UserRow, rawLabel: unknown): { reviewId: number; label: LabelValue; resolvedAt: string } {
  return runInTransaction(deps.db, () => {
    const review = findReview(deps.db, reviewId);
    if (!review) throw new NotFoundError(`review ${reviewId} not found`);
    if (review.status === 'resolved') throw new ConflictError(`review ${reviewId} is already resolved`);
    const now = deps.clock.now();
    const heldByOther = review.status === 'leased' && review.reviewerId !== user.id && (review.leaseExpiresAt ?? 0) > now;
    if (heldByOther && user.role !== 'admin') throw new ForbiddenError(`review ${reviewId} is held by another reviewer`);
    const project = resolveProject(deps, review.projectId);
    const label = parseLabelValue(project, rawLabel);
    const annotationId = insertTaskAnnotation(deps.db, { itemId: review.itemId, projectId: project.id, annotatorId: user.id, value: JSON.stringify(label), source: 'review', durationMs: null, now });
    resolveReviewRow(deps.db, reviewId, user.id, annotationId, now);
    return { reviewId, label, resolvedAt: toIso(now)! };
  });
}
