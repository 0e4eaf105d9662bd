export { claimNextTask, queueColdStart, refillQueue, skipTask, submitAnnotation, wantedAnnotations, type ClaimedTask, type QueueDeps, type SubmitResult } from './queue.service.js';
export { claimNextReview, resolveReview, type ClaimedReview } from './review.service.js';
export { annotatorStats, myProgress, queueStatus, type AnnotatorStats, type QueueStatus } from './status.service.js';
export * from './queue.schemas.js';
export * from './batches.schemas.js';
export { createQueryBatch, getQueryBatch, listQueryBatches, type BatchDeps } from './batches.service.js';
