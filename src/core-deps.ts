import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from './core/clock.js';
import type { Config } from './config/index.js';
import { closeDb, openDb, WalCheckpointer, type Db } from './db/index.js';
import { JobRunner } from './modules/jobs/index.js';
// the import job's own file, not the items module's index: that also loads the HTTP schemas and the export
import { recoverImports, registerImportJob } from './modules/items/import/import.job.js';

/** What every process needs: the database, the job runner with the import job, the checkpointer. */
export interface CoreDeps {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  runner: JobRunner;
  /** Checkpoints the WAL beside heavy writers (the queue's writer thread, imports). */
  checkpointer: WalCheckpointer;
  close(): Promise<void>;
}

/**
 * The part of the composition root that an import needs. A CLI command that only
 * imports (or lists) builds just this: the model, training and loop modules are not
 * loaded (buildDeps adds them). Jobs of the types it knows that a dead process left
 * running are failed and cleaned up; the others wait for a process that knows them.
 */
export function buildCoreDeps(config: Config, options: { clock?: Clock; logger?: Logger; recover?: boolean } = {}): CoreDeps {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: config.logLevel, base: undefined });
  const db = openDb(config.dbPath);
  const runner = new JobRunner({ db, clock }, config.jobConcurrency);
  const checkpointer = new WalCheckpointer(config.dbPath);
  registerImportJob(runner, { db, clock, checkpointer, maxLineBytes: config.maxLineBytes, importWorkers: config.importWorkers });
  // buildDeps recovers once, after it has registered its types
  if (options.recover ?? true) recoverAbandonedJobs({ db, clock, runner, logger });
  return {
    config,
    db,
    clock,
    logger,
    runner,
    checkpointer,
    async close() {
      await runner.shutdown();
      await checkpointer.close();
      closeDb(db);
    },
  };
}

/** Fails the jobs of known types whose process died, with their clean-up, and removes failed imports' rows. */
export function recoverAbandonedJobs(deps: { db: Db; clock: Clock; runner: JobRunner; logger: Logger }): void {
  for (const job of deps.runner.recoverAbandoned()) deps.logger.warn({ jobId: job.id, type: job.type }, 'marked an abandoned job as failed');
  recoverImports({ db: deps.db, clock: deps.clock });
}
