import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig, type Config } from '../config/index.js';
import type { CoreDeps } from '../core-deps.js';
import type { Deps } from '../deps.js';
import { DomainError, UsageError } from '../core/errors.js';
import pino from 'pino';

export interface GlobalOptions {
  db?: string;
  json?: boolean;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** Opens the database named by --db (or QUORUM_DB, or data/quorum.db), runs `work`, closes it. */
export async function withDeps<T>(cmd: Command, work: (deps: Deps) => Promise<T> | T): Promise<T> {
  const { buildDeps } = await import('../deps.js');
  return withBuilt(cmd, buildDeps, work);
}

/** As withDeps, with only the core (database, jobs, import): the model, training and loop modules stay unloaded. */
export async function withCoreDeps<T>(cmd: Command, work: (deps: CoreDeps) => Promise<T> | T): Promise<T> {
  const { buildCoreDeps } = await import('../core-deps.js');
  return withBuilt(cmd, buildCoreDeps, work);
}

async function withBuilt<D extends CoreDeps, T>(
  cmd: Command,
  build: (config: Config, options: { logger: pino.Logger }) => D,
  work: (deps: D) => Promise<T> | T,
): Promise<T> {
  const g = globals(cmd);
  const config = loadConfig(process.env, g.db ? { dbPath: g.db } : {});
  const deps = build(config, { logger: pino({ level: 'warn' }, pino.destination(2)) });
  try {
    return await work(deps);
  } finally {
    await deps.close();
  }
}

/** Prints `data` as JSON with --json, else the human text. */
export function output(cmd: Command, data: unknown, human: () => string): void {
  if (globals(cmd).json) process.stdout.write(JSON.stringify(data, null, 2) + '\n');
  else process.stdout.write(human() + '\n');
}

export function table(rows: (string | number | null)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => String(c ?? '').padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** A progress bar on a terminal; a plain line every few seconds otherwise; nothing with --json. */
export function progressReporter(cmd: Command, label: string, unit: 'bytes' | 'items') {
  if (globals(cmd).json) return { update: (_d: number, _t: number | null) => {}, stop: () => {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done: number, total: number | null) {
        if (!started) {
          bar.start(total ?? 0, 0);
          started = true;
        }
        if (total !== null) bar.setTotal(total);
        bar.update(done);
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = Date.now();
  return {
    update(done: number, total: number | null) {
      const now = Date.now();
      if (now - last < 2000) return;
      last = now;
      const pct = total ? ` (${((100 * done) / total).toFixed(0)}%)` : '';
      process.stderr.write(`${label}: ${unit === 'bytes' ? `${(done / 1048576).toFixed(1)} MiB` : done}${pct}\n`);
    },
    stop: () => {},
  };
}

export function parseLabels(value: string): string[] {
  const v = value.trim();
  if (v.startsWith('[')) {
    try {
      const arr = JSON.parse(v) as unknown;
      if (Array.isArray(arr) && arr.every((x) => typeof x === 'string')) return arr;
    } catch {
      /* fall through to the error */
    }
    throw new UsageError('--labels: a JSON list must be an array of strings, e.g. \'["a","b"]\'');
  }
  return v.split(',').map((l) => l.trim());
}

export function choice<T extends string>(flag: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
    return value as T;
  };
}

/** A failed job's message, raised as the one-line CLI error. */
export class JobFailedError extends DomainError {
  readonly status = 500;
  readonly code = 'job_failed';
}

/** A whole-number flag parser with bounds. */
export function whole(flag: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${v}"`);
    return n;
  };
}
