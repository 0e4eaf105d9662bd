/**
 * Piscina entry point for model work: scoring a slice of a project's items and
 * training a built-in model. Each thread keeps its read-only database handles and
 * its loaded models (at most two versions), so a scoring run loads its model once
 * per thread, and reads its own slices instead of receiving them from the main thread.
 */
import { Piscina } from 'piscina';
import type { ModelAdapter } from '../src/modules/models/adapter.js';
import { createAdapter } from '../src/modules/models/adapters/index.js';
import { trainBuiltin, type BuiltinTrainOutput } from '../src/modules/models/adapters/builtin.js';
import { readVersionSpec } from '../src/modules/models/version-spec.repo.js';
import { openReadHandle, readItemRange, readItemsById, type SqliteHandle } from '../src/modules/scoring/item-batches.repo.js';
import { summarize, toProjectOrder } from '../src/modules/scoring/summaries.js';
import type { BackendTask, PredictedItems, PredictTask, ScoredSlice, ScoreTask, TrainedModel, TrainTask } from '../src/modules/models/worker-tasks.js';
import { backendInfo, initBackend, type BackendInfo } from '../src/modules/models/tfjs/index.js';

const handles = new Map<string, SqliteHandle>();
function handle(dbPath: string): SqliteHandle {
  let h = handles.get(dbPath);
  if (!h) handles.set(dbPath, (h = openReadHandle(dbPath)));
  return h;
}

const MAX_LOADED = 2;
const loaded = new Map<string, Promise<ModelAdapter>>();
function adapterFor(dbPath: string, versionId: number): Promise<ModelAdapter> {
  const key = `${dbPath}#${versionId}`;
  let a = loaded.get(key);
  if (a) return a;
  a = (async () => {
    const spec = readVersionSpec(handle(dbPath), versionId);
    if (!spec) throw new Error(`model version ${versionId} not found`);
    return createAdapter(spec);
  })();
  a.catch(() => loaded.delete(key));
  loaded.set(key, a);
  while (loaded.size > MAX_LOADED) {
    const [oldest, adapter] = loaded.entries().next().value as [string, Promise<ModelAdapter>];
    loaded.delete(oldest);
    void adapter.then((x) => x.dispose()).catch(() => undefined);
  }
  return a;
}

/** Transfers every buffer of the result instead of cloning it. */
function moveAll<T extends object>(value: T, buffers: ArrayBufferLike[]): T {
  return Piscina.move({
    get [Piscina.transferableSymbol]() {
      return buffers;
    },
    get [Piscina.valueSymbol]() {
      return value;
    },
  } as never) as unknown as T;
}

async function score(t: ScoreTask): Promise<ScoredSlice> {
  const adapter = await adapterFor(t.dbPath, t.versionId);
  const { itemIds, batch, skipped } = readItemRange(handle(t.dbPath), t.projectId, t.fromId, t.toId, {
    input: adapter.capabilities.input,
    featureDim: t.featureDim,
  });
  const p = await adapter.predictProba(batch);
  const probs = toProjectOrder(p, t.columnMap, t.projectLabels);
  const s = summarize(probs, p.rows, t.projectLabels, adapter.multiLabel);
  const out: ScoredSlice = { rows: p.rows, skipped, itemIds, probs, ...s };
  return moveAll(out, [itemIds.buffer, probs.buffer, s.label.buffer, s.maxProb.buffer, s.margin.buffer, s.entropy.buffer]);
}

async function predict(t: PredictTask): Promise<PredictedItems> {
  const adapter = await adapterFor(t.dbPath, t.versionId);
  const { itemIds, batch } = readItemsById(handle(t.dbPath), t.projectId, t.itemIds, { input: adapter.capabilities.input, featureDim: t.featureDim });
  const probs = toProjectOrder(await adapter.predictProba(batch), t.columnMap, t.projectLabels);
  return moveAll({ itemIds, probs }, [itemIds.buffer, probs.buffer]);
}

async function train(t: TrainTask): Promise<TrainedModel> {
  const { itemIds, batch } = readItemsById(handle(t.dbPath), t.projectId, t.itemIds, { input: t.input, featureDim: t.featureDim });
  const at = new Map<number, number>();
  itemIds.forEach((id, i) => at.set(id, i));
  const k = t.labels.length;
  const multi = t.targets instanceof Uint8Array;
  const rows: number[] = [];
  const src: number[] = [];
  for (let r = 0; r < t.rowItem.length; r++) {
    const i = at.get(t.itemIds[t.rowItem[r]!]!);
    if (i === undefined) continue;
    rows.push(r);
    src.push(i);
  }
  const n = rows.length;
  const targets = multi ? new Uint8Array(n * k) : new Int32Array(n);
  rows.forEach((r, o) => {
    if (multi) targets.set((t.targets as Uint8Array).subarray(r * k, r * k + k), o * k);
    else targets[o] = t.targets[r]!;
  });
  let trained: BuiltinTrainOutput;
  if (t.input === 'text') {
    const texts = src.map((i) => batch.texts[i]!);
    trained = await trainBuiltin({ labels: t.labels, texts, targets, params: t.params, ...(t.featurizer ? { featurizer: t.featurizer } : {}) });
  } else {
    const d = t.featureDim!;
    const features = new Float32Array(n * d);
    src.forEach((i, o) => features.set(batch.features!.subarray(i * d, i * d + d), o * d));
    trained = await trainBuiltin({ labels: t.labels, features, targets, params: t.params });
  }
  const out: TrainedModel = { ...trained, droppedRows: t.rowItem.length - n };
  return moveAll(out, [trained.artifact.buffer]);
}

async function backend(): Promise<BackendInfo> {
  await initBackend();
  return backendInfo()!;
}

export default function run(task: ScoreTask | TrainTask | BackendTask | PredictTask): Promise<ScoredSlice | TrainedModel | BackendInfo | PredictedItems> {
  if (task.op === 'backend') return backend();
  if (task.op === 'predict') return predict(task);
  return task.op === 'score' ? score(task) : train(task);
}
