/**
 * The Piscina pool for CPU-bound model work (scoring slices, training). Created on
 * first use, then kept warm: a thread keeps the models it loaded (workers/model.worker.ts).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { projectRoot } from '../../core/paths.js';
import type { BackendInfo } from './tfjs/index.js';

export const MODEL_WORKER_FILE = join(projectRoot(), 'dist', 'workers', 'model.worker.js');
export const SELECT_WORKER_FILE = join(projectRoot(), 'dist', 'workers', 'select.worker.js');

/**
 * The model threads run at a lower CPU priority than the main thread (Linux: per-thread
 * nice, via Piscina and @napi-rs/nice; a no-op where that is missing): with as many
 * threads as cores, the event loop (HTTP, and the scoring run's writes) would otherwise
 * queue behind model work. On 2 cores during a 1M-item scoring run the event loop's
 * median delay fell from 3–6 ms to ~1 ms, at the same throughput (bench/scoring.js).
 */
const WORKER_NICE = 10;

/** 'auto': one thread per core, at most 2 (each thread holds its own TF.js engine and models). */
export function modelThreadsFor(setting: number | 'auto'): number {
  return setting === 'auto' ? Math.max(1, Math.min(2, availableParallelism())) : setting;
}

export class ModelWorkers {
  private pool: Piscina | undefined;
  readonly threads: number;

  constructor(setting: number | 'auto') {
    this.threads = modelThreadsFor(setting);
  }

  /** `filename`: another worker module of dist/workers/ run by the same threads (e.g. query selection). */
  run<T>(task: object, opts: { signal?: AbortSignal; transferList?: ArrayBufferLike[]; filename?: string } = {}): Promise<T> {
    if (!this.pool) {
      if (!existsSync(MODEL_WORKER_FILE)) throw new Error(`model worker not built (${MODEL_WORKER_FILE}): run npm run build`);
      this.pool = new Piscina({ filename: MODEL_WORKER_FILE, minThreads: this.threads, maxThreads: this.threads, idleTimeout: 10 * 60_000, niceIncrement: WORKER_NICE });
    }
    return this.pool.run(task, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.transferList ? { transferList: opts.transferList as never } : {}),
      ...(opts.filename ? { filename: opts.filename } : {}),
    }) as Promise<T>;
  }

  private backend: Promise<BackendInfo> | undefined;
  private backendKnown: BackendInfo | undefined;

  /** The TF.js backend the worker threads use (asks one thread once, then remembers). */
  probeBackend(): Promise<BackendInfo> {
    this.backend ??= this.run<BackendInfo>({ op: 'backend' }).then((b) => (this.backendKnown = b));
    this.backend.catch(() => (this.backend = undefined));
    return this.backend;
  }

  /** The backend if a probe finished, without waiting. */
  knownBackend(): BackendInfo | undefined {
    return this.backendKnown;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await pool.destroy();
  }
}
