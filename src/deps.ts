import type { Logger } from 'pino';
import type { Clock } from './core/clock.js';
import type { Config } from './config/index.js';
import { buildCoreDeps, recoverAbandonedJobs, type CoreDeps } from './core-deps.js';
import { createQueueWriter, type QueueWriter } from './modules/queue/queue-writer.js';
import { ModelWorkers } from './modules/models/index.js';
import { registerScoringJob } from './modules/scoring/index.js';
import { registerTrainingJob } from './modules/training/index.js';
import { maybeRetrainOnLabels, registerRetrainJob, RetrainScheduler } from './modules/evaluation/index.js';

export interface Deps extends CoreDeps {
  /** Where the annotation routes' writes run (a writer thread by default): those of one event-loop turn share one commit. */
  queue: QueueWriter;
  /** Worker threads for scoring and training (started on first use). */
  models: ModelWorkers;
  /** Cron-scheduled retraining. */
  scheduler: RetrainScheduler;
  /** The label trigger of the retrain loop (queue submits and finished imports call it); inert until startLoop. */
  onLabelsAdded(projectId: number): void;
  /**
   * Arms the label trigger and the cron schedules: the server does, a one-shot CLI command does not (it would
   * start a retrain and cancel it on exit; `quorum retrain` is the CLI's way to run the loop).
   */
  startLoop(): void;
  close(): Promise<void>;
}

/** The composition root: the core (database, job runner, import), then every other job type and the loop. */
export function buildDeps(config: Config, options: { clock?: Clock; logger?: Logger } = {}): Deps {
  const core = buildCoreDeps(config, { ...options, recover: false });
  const { db, clock, logger, runner, checkpointer } = core;
  const models = new ModelWorkers(config.modelWorkers);
  registerScoringJob(runner, { db, clock, runner, models, config });
  registerTrainingJob(runner, { db, clock, runner, models, config });
  const loopDeps = { db, clock, runner, models, config };
  registerRetrainJob(runner, loopDeps);
  let looping = false;
  const onLabelsAdded = (projectId: number) => {
    if (!looping) return;
    try {
      maybeRetrainOnLabels(loopDeps, projectId);
    } catch (e) {
      logger.warn({ projectId, err: String(e) }, 'retrain trigger failed');
    }
  };
  // Imported labels count too.
  runner.onFinished((job) => {
    if (job.type === 'import' && job.status === 'succeeded' && job.projectId !== null) onLabelsAdded(job.projectId);
  });
  const scheduler = new RetrainScheduler(loopDeps, logger);
  recoverAbandonedJobs({ db, clock, runner, logger });
  const deps: Deps = {
    ...core,
    // replaced below: the writer reads deps.clock when each write is asked for (tests move the clock)
    queue: undefined as unknown as QueueWriter,
    models,
    scheduler,
    onLabelsAdded,
    startLoop() {
      if (looping) return;
      looping = true;
      scheduler.start();
    },
    async close() {
      scheduler.stop();
      await deps.queue.close();
      await runner.shutdown();
      await models.close();
      await core.close();
    },
  };
  deps.queue = createQueueWriter(deps, config.queueWriter, config.dbPath, checkpointer);
  return deps;
}
