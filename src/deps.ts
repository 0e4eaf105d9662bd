import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from './core/clock.js';
import type { Config } from './config/index.js';
import { closeDb, openDb, WalCheckpointer, type Db } from './db/index.js';
import { createQueueWriter, type QueueWriter } from './modules/queue/queue-writer.js';
import { JobRunner } from './modules/jobs/index.js';
import { recoverImports, registerImportJob } from './modules/items/index.js';
import { ModelWorkers } from './modules/models/index.js';
import { registerScoringJob } from './modules/scoring/index.js';
import { registerTrainingJob } from './modules/training/index.js';
import { maybeRetrainOnLabels, registerRetrainJob, RetrainScheduler } from './modules/evaluation/index.js';

export interface Deps {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Where the annotation routes' writes run (a writer thread by default): those of one event-loop turn share one commit. */
  queue: QueueWriter;
  runner: JobRunner;
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

/** The composition root: one database handle, one job runner, every job type registered. */
export function buildDeps(config: Config, options: { clock?: Clock; logger?: Logger } = {}): Deps {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: config.logLevel, base: undefined });
  const db = openDb(config.dbPath);
  const runner = new JobRunner({ db, clock }, config.jobConcurrency);
  const checkpointer = new WalCheckpointer(config.dbPath);
  registerImportJob(runner, { db, clock, checkpointer, maxLineBytes: config.maxLineBytes, importWorkers: config.importWorkers });
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
  const abandoned = runner.recoverAbandoned();
  for (const job of abandoned) logger.warn({ jobId: job.id, type: job.type }, 'marked an abandoned job as failed');
  recoverImports({ db, clock });
  const deps: Deps = {
    config,
    db,
    clock,
    logger,
    // replaced below: the writer reads deps.clock when each write is asked for (tests move the clock)
    queue: undefined as unknown as QueueWriter,
    runner,
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
      await checkpointer.close();
      closeDb(db);
    },
  };
  deps.queue = createQueueWriter(deps, config.queueWriter, config.dbPath, checkpointer);
  return deps;
}
