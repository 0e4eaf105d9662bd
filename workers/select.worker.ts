/** Piscina entry point for query selection (runs on the model worker threads; see ModelWorkers.run's filename). */
import { Piscina } from 'piscina';
import { openReadHandle, type SqliteHandle } from '../src/modules/scoring/item-batches.repo.js';
import { runSelection, type SelectResult, type SelectTask } from '../src/modules/queue/selection.js';

const handles = new Map<string, SqliteHandle>();

export default function select(task: SelectTask): SelectResult {
  let h = handles.get(task.dbPath);
  if (!h) handles.set(task.dbPath, (h = openReadHandle(task.dbPath)));
  const r = runSelection(h, task);
  return Piscina.move({
    get [Piscina.transferableSymbol]() {
      return [r.itemIds.buffer, r.score.buffer, r.explore.buffer];
    },
    get [Piscina.valueSymbol]() {
      return r;
    },
  } as never) as unknown as SelectResult;
}
