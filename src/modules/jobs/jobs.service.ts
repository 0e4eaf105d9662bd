import { hostname } from 'node:os';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { CancelledError, ConflictError, NotFoundError, errorMessage } from '../../core/errors.js';
import type { Db } from '../../db/index.js';
import type { JobRow, JobStatus } from '../../db/schema/jobs.js';
import { countJobs, findJob, finishJobIfLive, heartbeat, insertJob, listJobRows, liveJobs, updateJob } from './jobs.repo.js';
import type { Job } from './jobs.schemas.js';

export interface JobContext {
  jobId: number;
  params: Record<string, unknown>;
  signal: AbortSignal;
  /** Cheap to call often: database writes are throttled. */
  progress(done: number, total?: number | null, unit?: string): void;
}

export type JobHandler = (ctx: JobContext) => Promise<Record<string, unknown>>;

export interface JobTypeDefinition {
  run: JobHandler;
  /** Undo what a job of this type left behind when its process died (e.g. staged import rows). */
  cleanupAbandoned?: (job: JobRow) => void;
}

export interface JobsDeps {
  db: Db;
  clock: Clock;
}

const HEARTBEAT_MS = 2_000;
const STALE_AFTER_MS = 60_000;
const PROGRESS_WRITE_MS = 250;

export function toJob(row: JobRow, now: number): Job {
  const elapsed = row.startedAt ? ((row.finishedAt ?? now) - row.startedAt) / 1000 : 0;
  const perSecond = elapsed > 0 && row.progressDone > 0 ? row.progressDone / elapsed : null;
  const etaSeconds =
    perSecond && row.progressTotal != null && row.status === 'running'
      ? Math.max(0, (row.progressTotal - row.progressDone) / perSecond)
      : null;
  return {
    id: row.id,
    type: row.type,
    projectId: row.projectId,
    status: row.status,
    progress: { done: row.progressDone, total: row.progressTotal, unit: row.progressUnit, perSecond, etaSeconds },
    params: row.params,
    result: row.result ?? null,
    error: row.error,
    cancelRequested: row.cancelRequested,
    createdAt: toIso(row.createdAt)!,
    startedAt: toIso(row.startedAt),
    finishedAt: toIso(row.finishedAt),
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs long work as jobs recorded in the database. The server enqueues and runs
 * them in the background; the CLI runs one inline with the same bookkeeping, so
 * `quorum jobs` and `GET /api/v1/jobs/:id` see both.
 */
export class JobRunner {
  private readonly types = new Map<string, JobTypeDefinition>();
  private readonly running = new Map<number, AbortController>();
  private readonly queue: number[] = [];
  private readonly host = hostname();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly deps: JobsDeps,
    private readonly concurrency = 2,
  ) {}

  register(type: string, def: JobTypeDefinition): void {
    this.types.set(type, def);
  }

  /**
   * Marks jobs whose process is gone as failed and lets each type clean up after them. Only jobs of the
   * types registered here: a process that knows only some (a CLI import) leaves the others, with their
   * clean-up, to one that knows them.
   */
  recoverAbandoned(): JobRow[] {
    const now = this.deps.clock.now();
    const abandoned = liveJobs(this.deps.db).filter((j) => {
      if (this.running.has(j.id) || !this.types.has(j.type)) return false;
      if (j.runnerPid == null) return true;
      if (j.runnerHost === this.host) return j.runnerPid === process.pid || !pidAlive(j.runnerPid);
      return now - (j.heartbeatAt ?? j.createdAt) > STALE_AFTER_MS;
    });
    for (const job of abandoned) {
      const reason =
        job.status === 'queued' ? 'the process that queued this job stopped before it ran' : 'the process running this job stopped';
      if (finishJobIfLive(this.deps.db, job.id, { status: 'failed', error: reason, finishedAt: now })) {
        this.types.get(job.type)?.cleanupAbandoned?.(job);
      }
    }
    return abandoned;
  }

  /** Records a job and runs it in the background (server). */
  enqueue(type: string, projectId: number | null, params: Record<string, unknown>): Job {
    const row = this.record(type, projectId, params);
    this.queue.push(row.id);
    this.ensureHeartbeat();
    setImmediate(() => this.pump());
    return toJob(row, this.deps.clock.now());
  }

  /** Records a job and runs it now, in this process (CLI). */
  async runInline(
    type: string,
    projectId: number | null,
    params: Record<string, unknown>,
    onProgress?: (done: number, total: number | null) => void,
  ): Promise<Job> {
    const row = this.record(type, projectId, params);
    this.ensureHeartbeat();
    try {
      await this.execute(row.id, onProgress);
    } finally {
      this.stopHeartbeatIfIdle();
    }
    return this.get(row.id);
  }

  get(id: number): Job {
    const row = findJob(this.deps.db, id);
    if (!row) throw new NotFoundError(`job ${id} not found`);
    return toJob(row, this.deps.clock.now());
  }

  /** Jobs in a state, in every process on this database (for /health: a count, not a listing). */
  count(status: JobStatus): number {
    return countJobs(this.deps.db, status);
  }

  list(filter: { projectId?: number; status?: JobStatus; limit: number }): Job[] {
    const now = this.deps.clock.now();
    return listJobRows(this.deps.db, filter).map((r) => toJob(r, now));
  }

  /**
   * A live queued or running job of this type for the project, in any process on
   * this database (running ones must have a fresh heartbeat): triggers coalesce on it.
   */
  activeJob(type: string, projectId: number): Job | undefined {
    const now = this.deps.clock.now();
    const row = liveJobs(this.deps.db).find(
      (j) =>
        j.type === type &&
        j.projectId === projectId &&
        (j.status === 'running' ? now - (j.heartbeatAt ?? j.createdAt) <= STALE_AFTER_MS : this.queue.includes(j.id) || now - j.createdAt <= STALE_AFTER_MS),
    );
    return row && toJob(row, now);
  }

  /** Cancels a queued job at once; a running one stops at its next checkpoint, also in another process. */
  cancel(id: number): Job {
    const row = findJob(this.deps.db, id);
    if (!row) throw new NotFoundError(`job ${id} not found`);
    if (row.status !== 'queued' && row.status !== 'running') {
      throw new ConflictError(`job ${id} is already ${row.status}`);
    }
    updateJob(this.deps.db, id, { cancelRequested: true });
    const idx = this.queue.indexOf(id);
    if (idx >= 0) {
      this.queue.splice(idx, 1);
      this.finish(id, 'cancelled', null, 'cancelled before it started');
    }
    this.running.get(id)?.abort(new CancelledError(`job ${id} was cancelled`));
    return this.get(id);
  }

  /** Resolves when nothing is queued or running here (tests, shutdown). */
  async idle(): Promise<void> {
    if (this.queue.length === 0 && this.running.size === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async shutdown(): Promise<void> {
    for (const id of this.queue.splice(0)) this.finish(id, 'failed', null, 'the server stopped before the job ran');
    for (const ctl of this.running.values()) ctl.abort(new CancelledError('the server is stopping'));
    await this.idle();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private record(type: string, projectId: number | null, params: Record<string, unknown>): JobRow {
    this.requireType(type);
    return insertJob(this.deps.db, {
      type,
      projectId,
      status: 'queued',
      params,
      runnerPid: process.pid,
      runnerHost: this.host,
      createdAt: this.deps.clock.now(),
    });
  }

  private requireType(type: string): JobTypeDefinition {
    const def = this.types.get(type);
    if (!def) throw new Error(`unknown job type "${type}"`);
    return def;
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      void this.execute(id).finally(() => this.pump());
    }
    if (this.queue.length === 0 && this.running.size === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async execute(id: number, onProgress?: (done: number, total: number | null) => void): Promise<void> {
    const row = findJob(this.deps.db, id);
    if (!row || row.status !== 'queued') return;
    const def = this.requireType(row.type);
    const controller = new AbortController();
    this.running.set(id, controller);
    const startedAt = this.deps.clock.now();
    updateJob(this.deps.db, id, { status: 'running', startedAt, heartbeatAt: startedAt, runnerPid: process.pid, runnerHost: this.host });
    let lastWrite = 0;
    const ctx: JobContext = {
      jobId: id,
      params: row.params,
      signal: controller.signal,
      progress: (done, total, unit) => {
        onProgress?.(done, total ?? null);
        const now = Date.now();
        if (now - lastWrite < PROGRESS_WRITE_MS && total !== undefined && done !== total) return;
        lastWrite = now;
        updateJob(this.deps.db, id, {
          progressDone: done,
          ...(total !== undefined ? { progressTotal: total } : {}),
          ...(unit ? { progressUnit: unit } : {}),
        });
      },
    };
    try {
      const result = await def.run(ctx);
      this.finish(id, 'succeeded', result, null);
    } catch (err) {
      const cancelled = err instanceof CancelledError || controller.signal.aborted;
      this.finish(id, cancelled ? 'cancelled' : 'failed', null, errorMessage(cancelled ? (controller.signal.reason ?? err) : err));
    } finally {
      this.running.delete(id);
    }
  }

  private readonly finishListeners: ((job: JobRow) => void)[] = [];

  /** Called after each job this process ran ended (e.g. an import that brought labels may trigger a retrain). */
  onFinished(listener: (job: JobRow) => void): void {
    this.finishListeners.push(listener);
  }

  private finish(id: number, status: JobStatus, result: Record<string, unknown> | null, error: string | null): void {
    finishJobIfLive(this.deps.db, id, { status, result, error, finishedAt: this.deps.clock.now() });
    const row = findJob(this.deps.db, id);
    if (row) for (const listener of this.finishListeners) listener(row);
  }

  private ensureHeartbeat(): void {
    if (this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeatIfIdle(): void {
    if (this.running.size === 0 && this.queue.length === 0 && this.heartbeatTimer) {
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = undefined;
    }
  }

  private beat(): void {
    const ids = [...this.running.keys()];
    for (const { id, cancelRequested } of heartbeat(this.deps.db, ids, this.deps.clock.now())) {
      if (cancelRequested) this.running.get(id)?.abort(new CancelledError(`job ${id} was cancelled`));
    }
  }
}
