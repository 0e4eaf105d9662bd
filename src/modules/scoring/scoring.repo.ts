import { and, desc, eq, isNull, lt, ne } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import type { ScoredSlice } from '../models/index.js';
import { prepared } from '../../db/statements.js';
import { scoringRuns, type RunStatus, type ScoringRunRow } from '../../db/schema/models.js';

/** A slice of scored items as the workers return it (without the count of skipped items). */
export type PredictionSlice = Omit<ScoredSlice, 'skipped'>;

export function insertScoringRun(db: Db, row: typeof scoringRuns.$inferInsert): ScoringRunRow {
  return db.insert(scoringRuns).values(row).returning().get();
}

export function updateScoringRun(db: Db, id: number, patch: Partial<typeof scoringRuns.$inferInsert>): void {
  db.update(scoringRuns).set(patch).where(eq(scoringRuns.id, id)).run();
}

export function findScoringRun(db: Db, id: number): ScoringRunRow | undefined {
  return db.select().from(scoringRuns).where(eq(scoringRuns.id, id)).get();
}

export function listScoringRunRows(db: Db, projectId: number, limit: number): ScoringRunRow[] {
  return db.select().from(scoringRuns).where(eq(scoringRuns.projectId, projectId)).orderBy(desc(scoringRuns.id)).limit(limit).all();
}

/**
 * The run whose predictions are current: the latest succeeded run of the champion
 * version when there is one (a challenger's evaluation runs never displace it),
 * else the project's latest succeeded run.
 */
export function currentScoringRunRow(db: Db, projectId: number): ScoringRunRow | undefined {
  return prepared(
    db,
    `SELECT id FROM scoring_runs WHERE project_id = ? AND status = 'succeeded' AND pruned_at IS NULL
      ORDER BY model_version_id = coalesce((SELECT challenger_version_id FROM promotions WHERE project_id = ? AND decision = 'promoted' ORDER BY id DESC LIMIT 1), 0) DESC, id DESC
      LIMIT 1`,
  )
    .pluck(true)
    .all(projectId, projectId)
    .map((id) => findScoringRun(db, id as number)!)[0];
}

/**
 * Succeeded runs whose predictions are still stored, newest first, beyond the
 * `keep` newest and other than `also`: the retention deletes their predictions.
 */
export function runsBeyondRetention(db: Db, projectId: number, keep: number, also: readonly number[]): number[] {
  const ids = prepared(db, `SELECT id FROM scoring_runs WHERE project_id = ? AND status = 'succeeded' AND pruned_at IS NULL ORDER BY id DESC`)
    .pluck(true)
    .all(projectId) as number[];
  return ids.slice(keep).filter((id) => !also.includes(id));
}

/** Older succeeded runs of the same version: their predictions are superseded by a newer run. */
export function supersededRuns(db: Db, run: ScoringRunRow): ScoringRunRow[] {
  return db
    .select()
    .from(scoringRuns)
    .where(and(eq(scoringRuns.modelVersionId, run.modelVersionId), lt(scoringRuns.id, run.id), ne(scoringRuns.status, 'running'), isNull(scoringRuns.prunedAt)))
    .all();
}

/** Rows per INSERT statement: one statement per row costs ~1.5x more (call and VDBE start per row). */
const INSERT_ROWS = 32;
const insertSql = (rows: number) =>
  `INSERT INTO predictions (scoring_run_id, item_id, label, max_prob, margin, entropy, probs) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`;
const INSERT_ONE = insertSql(1);
const INSERT_MANY = insertSql(INSERT_ROWS);
const insertArgs = new Array<unknown>(INSERT_ROWS * 7);

/** Writes one slice of predictions (caller holds the transaction), INSERT_ROWS rows a statement. */
export function insertPredictions(db: Db, runId: number, s: PredictionSlice): void {
  const one = prepared(db, INSERT_ONE);
  const many = prepared(db, INSERT_MANY);
  const k = s.rows > 0 ? s.probs.length / s.rows : 0;
  const buf = Buffer.from(s.probs.buffer, s.probs.byteOffset, s.probs.byteLength);
  const args = insertArgs;
  let r = 0;
  for (; r + INSERT_ROWS <= s.rows; r += INSERT_ROWS) {
    for (let j = 0, o = 0, q = r; j < INSERT_ROWS; j++, o += 7, q++) {
      args[o] = runId;
      args[o + 1] = s.itemIds[q];
      args[o + 2] = s.label[q];
      args[o + 3] = s.maxProb[q];
      args[o + 4] = s.margin[q];
      args[o + 5] = s.entropy[q];
      args[o + 6] = buf.subarray(q * k * 4, (q + 1) * k * 4);
    }
    many.run(args);
  }
  for (; r < s.rows; r++) {
    one.run(runId, s.itemIds[r], s.label[r], s.maxProb[r], s.margin[r], s.entropy[r], buf.subarray(r * k * 4, (r + 1) * k * 4));
  }
  args.fill(undefined); // drop the slice's buffer views
}

/** Deletes up to `limit` predictions of a run; returns how many (call until 0, one short transaction each). */
export function deletePredictionsChunk(db: Db, runId: number, limit: number): number {
  return prepared(
    db,
    'DELETE FROM predictions WHERE scoring_run_id = ? AND item_id IN (SELECT item_id FROM predictions WHERE scoring_run_id = ? ORDER BY item_id LIMIT ?)',
  ).run(runId, runId, limit).changes;
}

export interface PredictionRow {
  scoringRunId: number;
  modelVersionId: number;
  version: number;
  label: number;
  maxProb: number;
  margin: number;
  entropy: number;
  probs: Buffer;
}

/** An item's prediction in a given run. */
export function predictionOf(db: Db, runId: number, itemId: number): PredictionRow | undefined {
  return prepared(
    db,
    `SELECT p.scoring_run_id AS scoringRunId, r.model_version_id AS modelVersionId, v.version AS version, p.label AS label,
            p.max_prob AS maxProb, p.margin AS margin, p.entropy AS entropy, p.probs AS probs
       FROM predictions p JOIN scoring_runs r ON r.id = p.scoring_run_id JOIN model_versions v ON v.id = r.model_version_id
      WHERE p.scoring_run_id = ? AND p.item_id = ?`,
  ).get(runId, itemId) as PredictionRow | undefined;
}

export function setRunStatus(db: Db, id: number, status: RunStatus, finishedAt: number | null, error: string | null, itemCount?: number): void {
  updateScoringRun(db, id, { status, finishedAt, error, ...(itemCount !== undefined ? { itemCount } : {}) });
}
