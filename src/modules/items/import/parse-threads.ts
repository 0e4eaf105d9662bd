/**
 * The import's parse threads (workers/import-parse.worker.ts): which file, how
 * many, and the ones started ahead of need. Imports only node's modules, so that
 * the CLI can start a thread before it loads anything else (src/cli/warm-up.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { projectRoot } from '../../../core/paths.js';

export const PARSE_WORKER_FILE = join(projectRoot(), 'dist', 'workers', 'import-parse.worker.js');

/** Worker threads pay off only for big inputs: below this, parsing inline is faster than starting them. */
export const PARALLEL_MIN_BYTES = 8 << 20;

/**
 * Parse threads for a big file with the 'auto' setting: one as soon as there are
 * two cores. The thread loads only the parsing code and hands back flat buffers, so
 * it costs 7-20 MiB rather than the ~80 of a general worker (BENCHMARKS.md §1).
 * More only where cores are to spare.
 */
export function autoParseThreads(): number {
  if (!existsSync(PARSE_WORKER_FILE)) return 0;
  const cores = availableParallelism();
  return cores >= 4 ? Math.min(4, cores - 2) : cores >= 2 ? 1 : 0;
}

/** What a thread started ahead of need is already reading, if anything. */
interface Reading {
  file: string;
  maxLineBytes: number;
  size: number;
  mtimeMs: number;
}

const prestarted: { worker: Worker; reading?: Reading }[] = [];

function fileIdentity(file: string): { size: number; mtimeMs: number } | undefined {
  try {
    const s = statSync(file);
    return s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a parse thread before the import asks for one; with `reading`, the thread
 * starts reading and parsing that file at once, before the project is known (see
 * FileParser). The CLI does this as its first step for `quorum import`, so that the
 * thread's start and the file's first lines (up to ~24,000) run on the other core while the
 * main thread loads the CLI's modules. Threads nobody takes do not keep the
 * process alive.
 */
export function prestartParseThread(reading?: { file: string; maxLineBytes: number }): void {
  const worker = new Worker(PARSE_WORKER_FILE);
  const entry: { worker: Worker; reading?: Reading } = { worker };
  const identity = reading && fileIdentity(reading.file);
  if (reading && identity) {
    entry.reading = { file: resolve(reading.file), maxLineBytes: reading.maxLineBytes, ...identity };
    worker.postMessage({ kind: 'read', file: entry.reading.file, maxLineBytes: reading.maxLineBytes });
  }
  const drop = (): void => {
    const at = prestarted.indexOf(entry);
    if (at >= 0) prestarted.splice(at, 1);
  };
  worker.once('error', drop);
  worker.once('exit', drop);
  worker.unref();
  prestarted.push(entry);
}

/** Threads started ahead and not taken yet. */
export function prestartedParseThreads(): number {
  return prestarted.length;
}

/**
 * Stops the threads started ahead that the import did not take (one reading another
 * file, or more than it wants): a reading thread holds up to ~30 MiB it read ahead.
 */
export function discardPrestartedParseThreads(): Promise<void> {
  return Promise.all(prestarted.splice(0).map((p) => p.worker.terminate())).then(() => undefined);
}

function adopt(at: number): Worker {
  const [{ worker }] = prestarted.splice(at, 1) as [{ worker: Worker }];
  worker.removeAllListeners();
  worker.ref();
  return worker;
}

/** A started thread that reads nothing yet, for a pool. */
export function takeIdleParseThread(): Worker | undefined {
  const at = prestarted.findIndex((p) => !p.reading);
  return at < 0 ? undefined : adopt(at);
}

/**
 * A started thread already reading this file (unchanged since) with this line limit;
 * else an idle one, which has still to be told what to read.
 */
export function takeParseThreadFor(file: string, maxLineBytes: number): { worker: Worker; reading: boolean } | undefined {
  const path = resolve(file);
  const identity = fileIdentity(path);
  const at = prestarted.findIndex(
    (p) => p.reading && p.reading.file === path && p.reading.maxLineBytes === maxLineBytes && identity?.size === p.reading.size && identity.mtimeMs === p.reading.mtimeMs,
  );
  if (at >= 0) return { worker: adopt(at), reading: true };
  const idle = takeIdleParseThread();
  return idle && { worker: idle, reading: false };
}
