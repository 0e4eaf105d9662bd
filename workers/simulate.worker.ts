/**
 * Piscina entry point of `quorum simulate`: one task is one simulated run (a strategy
 * and a seed) or one full-pool fit. The prepared data arrives in SharedArrayBuffers
 * (no copy per task) and stays cached in the thread for the simulation's later tasks,
 * with its dense matrices uploaded to the TF.js device once.
 */
import { runSimulationTask, type SimulationTask } from '../src/modules/simulation/run.js';
import { backendInfo, initBackend, type BackendInfo } from '../src/modules/models/tfjs/index.js';

export default async function run(task: SimulationTask | { op: 'backend' }): Promise<unknown> {
  if (task.op === 'backend') {
    await initBackend();
    return backendInfo() satisfies BackendInfo | undefined;
  }
  return runSimulationTask(task);
}
