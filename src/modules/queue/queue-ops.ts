/**
 * The annotation writes of the request path as plain data, so they can be run
 * where the queue's writer is (this thread or the writer thread) and committed
 * together (src/db/group-commit.ts).
 */
import type { UserRow } from '../../db/schema/users.js';
import { claimNextTask, skipTask, submitAndClaimNext, submitAnnotation, type QueueDeps, type SubmitInput } from './queue.service.js';

export type QueueOp =
  | { op: 'claim'; project: string | number; user: UserRow }
  | { op: 'submit'; taskId: number; user: UserRow; input: SubmitInput; idempotencyKey: string | null; next: boolean }
  | { op: 'skip'; taskId: number; user: UserRow; reason: string | null };

export function runQueueOp(deps: QueueDeps, o: QueueOp): unknown {
  switch (o.op) {
    case 'claim':
      return claimNextTask(deps, o.project, o.user);
    case 'submit':
      return o.next ? submitAndClaimNext(deps, o.taskId, o.user, o.input, o.idempotencyKey) : submitAnnotation(deps, o.taskId, o.user, o.input, o.idempotencyKey);
    case 'skip':
      return skipTask(deps, o.taskId, o.user, o.reason);
  }
}
