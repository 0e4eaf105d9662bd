import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { stableRandom } from '../../core/random.js';
import type { LabelValue } from '../../core/labels.js';
import type { Db } from '../../db/index.js';
import { runInTransaction } from '../../db/index.js';
import type { ProjectRow } from '../../db/schema/projects.js';
import type { UserRow } from '../../db/schema/users.js';
import { itemContent, parseLabelValue } from '../items/index.js';
import { resolveProject, settingsOf, type ProjectSettings } from '../projects/index.js';
import {
  annotationValue, changeTaskAnnotation, claimSlot, completeTask, doneCount, findSlot, findTask, insertSlot, insertTask,
  insertTaskAnnotation, itemVotes, leaseSlot, liveTaskOf, nextGoldItem, nextUnqueuedItems, openSlotsOfItem, skipTaskRow, type NewTask, type TaskRow,
} from './queue.repo.js';
import { openReviewIfDisputed } from './reviews.repo.js';

export interface QueueDeps {
  db: Db;
  clock: Clock;
  /** Told after a new label was stored (outside the transaction): the retrain trigger listens. */
  onLabelsAdded?: (projectId: number) => void;
}

/** What an annotator gets: the item without anybody's labels. */
export interface ClaimedTask {
  taskId: number;
  item: { id: string; text: string | null; meta: Record<string, unknown> | null };
  source: string;
  leaseExpiresAt: string;
}

const REFILL_CHUNK = 500;

/** Slots an item wants: the agreement sample (seeded per item) gets agreementOverlap annotators. */
export function wantedAnnotations(s: ProjectSettings, projectId: number, externalId: string): number {
  return stableRandom(externalId, projectId + 7919) < s.agreementSample ? Math.max(s.agreementOverlap, s.overlap) : s.overlap;
}

/**
 * Queues the next chunk of unqueued pool and eval items in cold-start order (a
 * seeded key per item): eval items come in at their share of the project, an
 * unbiased random stream. Runs inside the claim's transaction, so two requests
 * cannot queue the same item twice. Returns how many items it queued (0: none left).
 */
export function refillQueue(deps: QueueDeps, project: ProjectRow, chunk = REFILL_CHUNK): number {
  const s = settingsOf(project.settings);
  const now = deps.clock.now();
  const candidates = nextUnqueuedItems(deps.db, project.id, chunk);
  for (const c of candidates) {
    const missing = Math.max(0, wantedAnnotations(s, project.id, c.externalId) - c.have);
    const source = c.split === 'eval' ? 'eval' : 'cold-start';
    // a placeholder marks an item that already has its labels as queued
    if (missing === 0) insertSlot(deps.db, { projectId: project.id, itemId: c.id, source, priority: 0, status: 'done', now });
    for (let k = 0; k < missing; k++) insertSlot(deps.db, { projectId: project.id, itemId: c.id, source, priority: 0, status: 'open', now });
  }
  return candidates.length;
}

/** A gold item is due after every 1/goldRate tasks of this annotator (deterministic, no drift). */
function goldDue(s: ProjectSettings, done: number): boolean {
  return s.goldRate > 0 && Math.floor((done + 1) * s.goldRate) > Math.floor(done * s.goldRate);
}

function toClaimed(deps: QueueDeps, task: TaskRow, source: string): ClaimedTask {
  const item = itemContent(deps, task.itemId);
  return { taskId: task.id, item: { id: item.id, text: item.text, meta: item.meta }, source, leaseExpiresAt: toIso(task.leaseExpiresAt)! };
}

interface Claimed {
  task: TaskRow;
  source: string;
}

/**
 * The claim without a transaction of its own (the caller holds the write
 * transaction): the task the annotator already holds if any, a gold item when
 * one is due, else the best open slot. Null when nothing is left for them.
 */
function claimIn(deps: QueueDeps, project: ProjectRow, s: ProjectSettings, user: UserRow, now: number): Claimed | null {
  const held = liveTaskOf(deps.db, project.id, user.id, now);
  if (held) return { task: held, source: findSlot(deps.db, held.slotId)!.source };
  // counting done tasks costs a query: only when a setting needs it
  const done = s.maxPerAnnotator !== null || s.goldRate > 0 ? doneCount(deps.db, project.id, user.id) : 0;
  if (s.maxPerAnnotator !== null && done >= s.maxPerAnnotator) return null;
  const expires = now + s.leaseSeconds * 1000;
  if (goldDue(s, done)) {
    const gold = nextGoldItem(deps.db, project.id, user.id, now);
    if (gold !== undefined) {
      const slotId = insertSlot(deps.db, { projectId: project.id, itemId: gold, source: 'gold', priority: 0, status: 'open', now });
      leaseSlot(deps.db, slotId, expires);
      return { task: newTask(deps, { slotId, projectId: project.id, itemId: gold, annotatorId: user.id, now, leaseExpiresAt: expires, previousTaskId: null }), source: 'gold' };
    }
  }
  let slot = claimSlot(deps.db, project.id, user.id, now, expires);
  while (!slot && refillQueue(deps, project) > 0) slot = claimSlot(deps.db, project.id, user.id, now, expires);
  if (!slot) return null;
  const t = { slotId: slot.id, projectId: project.id, itemId: slot.itemId, annotatorId: user.id, now, leaseExpiresAt: expires, previousTaskId: slot.previousTaskId };
  return { task: newTask(deps, t), source: slot.source };
}

/** Inserts the leased task and returns its row as stored (built here: no read back). */
function newTask(deps: QueueDeps, t: NewTask): TaskRow {
  const id = insertTask(deps.db, t);
  return {
    id, slotId: t.slotId, projectId: t.projectId, itemId: t.itemId, annotatorId: t.annotatorId, status: 'leased',
    leaseExpiresAt: t.leaseExpiresAt, finishedAt: null, annotationId: null, idempotencyKey: null,
  };
}

/**
 * The next task for an annotator, leased for `leaseSeconds`: the task they
 * already hold if any, a gold item when one is due, else the best open slot.
 * Null when nothing is left for them.
 */
export function claimNextTask(deps: QueueDeps, projectRef: string | number, user: UserRow): ClaimedTask | null {
  const project = resolveProject(deps, projectRef);
  const s = settingsOf(project.settings);
  const claimed = runInTransaction(deps.db, () => claimIn(deps, project, s, user, deps.clock.now()));
  return claimed ? toClaimed(deps, claimed.task, claimed.source) : null;
}

function ownTask(deps: QueueDeps, taskId: number, user: UserRow): TaskRow {
  const task = findTask(deps.db, taskId);
  if (!task) throw new NotFoundError(`task ${taskId} not found`);
  if (task.annotatorId !== user.id) throw new ForbiddenError(`task ${taskId} belongs to another annotator`);
  return task;
}

export interface SubmitResult {
  taskId: number;
  label: LabelValue;
  createdAt: string;
  /** True when this was a retry of a submit already stored (same Idempotency-Key). */
  replayed: boolean;
}

export interface SubmitInput {
  label: unknown;
  durationMs?: number | undefined;
}

interface Submitted {
  result: SubmitResult;
  project: ProjectRow;
}

/**
 * The submit without a transaction of its own (the caller holds the write
 * transaction). Throws before writing anything on a bad label, a skipped task
 * or a lost lease, so the caller's transaction stores nothing.
 */
function submitIn(deps: QueueDeps, taskId: number, user: UserRow, input: SubmitInput, idempotencyKey: string | null, now: number): Submitted {
  const task = ownTask(deps, taskId, user);
  const project = resolveProject(deps, task.projectId);
  if (task.status === 'done' && idempotencyKey !== null && task.idempotencyKey === idempotencyKey) {
    const stored = annotationValue(deps.db, task.annotationId!)!;
    return { result: { taskId, label: JSON.parse(stored.value) as LabelValue, createdAt: toIso(stored.createdAt)!, replayed: true }, project };
  }
  const label = parseLabelValue(project, input.label);
  const value = JSON.stringify(label);
  if (task.status === 'skipped') throw new ConflictError(`task ${taskId} was skipped; ask for the next task`);
  const slot = findSlot(deps.db, task.slotId)!;
  if (task.status === 'expired' || (task.status === 'leased' && slot.taskId !== task.id)) {
    throw new ConflictError(`your lease on task ${taskId} expired and another annotator took the item; your label was not stored`);
  }
  const annotationId = insertTaskAnnotation(deps.db, { itemId: task.itemId, projectId: project.id, annotatorId: user.id, value, source: 'task', durationMs: input.durationMs ?? null, now });
  if (task.status === 'done') changeTaskAnnotation(deps.db, task.id, annotationId, idempotencyKey);
  else completeTask(deps.db, task, annotationId, idempotencyKey, now);
  if (slot.source !== 'gold' && openSlotsOfItem(deps.db, task.itemId) === 0) {
    openReviewIfDisputed(deps.db, project.id, task.itemId, itemVotes(deps.db, task.itemId), settingsOf(project.settings).reviewBelowAgreement, now);
  }
  return { result: { taskId, label, createdAt: toIso(now)!, replayed: false }, project };
}

/**
 * Stores the annotator's label for their task. A retry with the same
 * Idempotency-Key replays the stored result; a new submit on a finished task
 * changes the label (the old one stays as history). After the lease expired the
 * submit is still accepted unless another annotator took the slot (409).
 */
export function submitAnnotation(deps: QueueDeps, taskId: number, user: UserRow, input: SubmitInput, idempotencyKey: string | null): SubmitResult {
  const { result, project } = runInTransaction(deps.db, () => submitIn(deps, taskId, user, input, idempotencyKey, deps.clock.now()));
  if (!result.replayed) deps.onLabelsAdded?.(project.id);
  return result;
}

export interface SubmitAndNextResult extends SubmitResult {
  /** The annotator's next task of the same project (leased), or null when nothing is left for them. */
  next: ClaimedTask | null;
}

/**
 * Submit and claim in one write transaction: stores the label exactly as
 * submitAnnotation does, then claims the annotator's next task of the task's
 * project exactly as claimNextTask does. When the submit fails (400, 403, 404,
 * 409) the transaction rolls back and nothing is claimed.
 *
 * A replay (same Idempotency-Key, nothing stored) also answers with `next`, by
 * the claim's own rule: the task the annotator currently holds in the project
 * (typically the one the first, lost response carried), else a newly claimed one.
 * So a retried request never leases a second task to the same annotator.
 */
export function submitAndClaimNext(deps: QueueDeps, taskId: number, user: UserRow, input: SubmitInput, idempotencyKey: string | null): SubmitAndNextResult {
  const { submitted, claimed } = runInTransaction(deps.db, () => {
    const now = deps.clock.now();
    const submitted = submitIn(deps, taskId, user, input, idempotencyKey, now);
    return { submitted, claimed: claimIn(deps, submitted.project, settingsOf(submitted.project.settings), user, now) };
  });
  if (!submitted.result.replayed) deps.onLabelsAdded?.(submitted.project.id);
  return { ...submitted.result, next: claimed ? toClaimed(deps, claimed.task, claimed.source) : null };
}

/** Gives the slot back and remembers that this annotator skipped the item. */
export function skipTask(deps: QueueDeps, taskId: number, user: UserRow, reason: string | null): { taskId: number; skipped: true } {
  runInTransaction(deps.db, () => {
    const task = ownTask(deps, taskId, user);
    if (task.status !== 'leased') throw new ConflictError(`task ${taskId} is already ${task.status}`);
    skipTaskRow(deps.db, task, reason, deps.clock.now());
  });
  return { taskId, skipped: true };
}

export { doneCount };

/** Queues the first cold-start chunk now, so the first annotator does not wait for it. */
export function queueColdStart(deps: QueueDeps, projectRef: string | number): number {
  const project = resolveProject(deps, projectRef);
  return runInTransaction(deps.db, () => refillQueue(deps, project));
}
