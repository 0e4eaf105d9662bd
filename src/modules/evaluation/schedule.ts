/**
 * Scheduled retraining while the server runs: one croner job per project whose
 * `retrainCron` is set, re-synced with the settings every minute (so changing the
 * setting needs no restart). A tick requests a retrain, which coalesces with one
 * already queued or running.
 */
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { projectSettings } from '../projects/index.js';
import { requestRetrain, type LoopDeps } from './loop.service.js';

const RESYNC_MS = 60_000;

export class RetrainScheduler {
  private readonly jobs = new Map<number, { expr: string; cron: Cron }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: LoopDeps,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.sync();
    this.timer = setInterval(() => this.sync(), RESYNC_MS);
    this.timer.unref();
  }

  /** Projects with a schedule, and when each fires next. */
  scheduled(): { projectId: number; cron: string; nextRun: string | null }[] {
    return [...this.jobs].map(([projectId, j]) => ({ projectId, cron: j.expr, nextRun: j.cron.nextRun()?.toISOString() ?? null }));
  }

  sync(): void {
    const wanted = new Map<number, string>();
    for (const p of projectSettings(this.deps)) if (p.settings.retrainCron) wanted.set(p.id, p.settings.retrainCron);
    for (const [id, j] of this.jobs) {
      if (wanted.get(id) !== j.expr) {
        j.cron.stop();
        this.jobs.delete(id);
      }
    }
    for (const [id, expr] of wanted) {
      if (this.jobs.has(id)) continue;
      const cron = new Cron(expr, { protect: true, unref: true }, () => {
        try {
          const r = requestRetrain(this.deps, id, { trigger: 'cron', minNewLabels: 1 });
          this.logger.info({ projectId: id, jobId: r.jobId, coalesced: r.coalesced }, 'scheduled retrain');
        } catch (e) {
          this.logger.warn({ projectId: id, err: String(e) }, 'scheduled retrain failed to start');
        }
      });
      this.jobs.set(id, { expr, cron });
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const j of this.jobs.values()) j.cron.stop();
    this.jobs.clear();
  }
}
