import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decidePromotion, RETRAIN_JOB, requestRetrain, RetrainScheduler } from '../../src/modules/evaluation/index.js';
import { updateSettings } from '../../src/modules/projects/index.js';
import { importText, jsonl, makeProject, makeTestDeps, waitForJob, type TestContext } from '../helpers.js';

let t: TestContext;
beforeEach(async () => {
  t = makeTestDeps();
  makeProject(t.deps, { labels: ['a', 'b'] });
  await importText(t.deps, 'p1', jsonl(Array.from({ length: 20 }, (_, i) => ({ id: `i${i}`, text: i % 2 ? `cheap pills ${i}` : `team meeting ${i}`, label: i % 2 ? 'b' : 'a' }))));
});
afterEach(() => t.close());

describe('retrain triggers', () => {
  it('a per-second cron schedule requests a retrain; requests coalesce while one is queued or running', async () => {
    updateSettings(t.deps, 'p1', { retrainCron: '* * * * * *', loopBatchSize: 0 });
    const scheduler = new RetrainScheduler(t.deps, pino({ level: 'silent' }));
    scheduler.start();
    try {
      expect(scheduler.scheduled()).toEqual([{ projectId: 1, cron: '* * * * * *', nextRun: expect.any(String) as string }]);
      let job: { id: number } | undefined;
      for (let i = 0; i < 40 && !job; i++) {
        await new Promise((r) => setTimeout(r, 100));
        job = t.deps.runner.activeJob(RETRAIN_JOB, 1);
      }
      expect(job).toBeDefined();
      // A second request while it is live coalesces onto it.
      expect(requestRetrain(t.deps, 1, { trigger: 'manual' })).toEqual({ jobId: job!.id, coalesced: true });
      const done = await waitForJob(t.deps, job!.id);
      expect(done.status).toBe('succeeded');
      expect(done.result).toMatchObject({ status: 'trained', modelVersion: 1, promoted: true });
      // Turning the setting off removes the schedule at the next sync.
      updateSettings(t.deps, 'p1', { retrainCron: null });
      scheduler.sync();
      expect(scheduler.scheduled()).toEqual([]);
    } finally {
      scheduler.stop();
      await t.deps.runner.idle();
    }
  });

  it('promotion policy: auto promotes only when the macro-F1 interval lies above 0', () => {
    const cmp = (lo: number, hi: number) => ({ macroF1: { ci: [lo, hi] as [number, number], difference: (lo + hi) / 2 } }) as never;
    expect(decidePromotion('auto', null, null)).toMatchObject({ promote: true });
    expect(decidePromotion('auto', 3, cmp(0.01, 0.05))).toMatchObject({ promote: true });
    expect(decidePromotion('auto', 3, cmp(-0.01, 0.05))).toMatchObject({ promote: false });
    expect(decidePromotion('auto', 3, null)).toMatchObject({ promote: false });
    expect(decidePromotion('never', null, null)).toMatchObject({ promote: false });
    expect(decidePromotion('always', 3, cmp(-0.5, -0.1))).toMatchObject({ promote: true });
  });
});
