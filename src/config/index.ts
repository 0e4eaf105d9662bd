import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import { projectRoot } from '../core/paths.js';

/** The one reader of process.env. Everything else receives a parsed Config. */
const envSchema = z.object({
  QUORUM_DB: z.string().min(1).optional(),
  DATABASE_URL: z.string().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  QUORUM_HOST: z.string().default('127.0.0.1'),
  QUORUM_BODY_LIMIT_MB: z.coerce.number().positive().max(100_000).default(512),
  QUORUM_MAX_LINE_MB: z.coerce.number().positive().max(1024).default(16),
  QUORUM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  QUORUM_JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  QUORUM_IMPORT_WORKERS: z.union([z.literal('auto'), z.coerce.number().int().min(0).max(16)]).default('auto'),
  QUORUM_MODEL_WORKERS: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(64)]).default('auto'),
  QUORUM_QUEUE_WRITER: z.enum(['thread', 'inline']).default('thread'),
});

export interface Config {
  dbPath: string;
  port: number;
  host: string;
  /** Largest request body accepted (bytes); larger → 413, nothing stored. */
  bodyLimitBytes: number;
  /** Longest import line accepted (bytes); a longer one is an error naming the line. */
  maxLineBytes: number;
  logLevel: z.infer<typeof envSchema>['QUORUM_LOG_LEVEL'];
  jobConcurrency: number;
  /** Threads parsing large JSONL imports; 'auto' uses them only where cores are to spare. */
  importWorkers: number | 'auto';
  /** Worker threads for model scoring and training; 'auto' = min(2, cores). */
  modelWorkers: number | 'auto';
  /** Where the annotation queue's request writes run: a writer thread, or the main thread (both group-commit). */
  queueWriter: 'thread' | 'inline';
  /** Where uploaded import bodies wait for their job (beside the database). */
  tmpDir: string;
}

export function defaultDbPath(): string {
  return join(projectRoot(), 'data', 'quorum.db');
}

export function resolveDbPath(p: string): string {
  return p === ':memory:' || isAbsolute(p) ? p : join(process.cwd(), p);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ValidationError(
      'invalid environment: ' + parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  const e = parsed.data;
  if (e.DATABASE_URL) {
    throw new ValidationError(
      'DATABASE_URL is set, but the Postgres store is not available in this version; unset it to use the SQLite file (QUORUM_DB)',
    );
  }
  const dbPath = resolveDbPath(overrides.dbPath ?? e.QUORUM_DB ?? defaultDbPath());
  return {
    dbPath,
    port: e.PORT,
    host: e.QUORUM_HOST,
    bodyLimitBytes: Math.round(e.QUORUM_BODY_LIMIT_MB * 1024 * 1024),
    maxLineBytes: Math.round(e.QUORUM_MAX_LINE_MB * 1024 * 1024),
    logLevel: e.QUORUM_LOG_LEVEL,
    jobConcurrency: e.QUORUM_JOB_CONCURRENCY,
    importWorkers: e.QUORUM_IMPORT_WORKERS,
    modelWorkers: e.QUORUM_MODEL_WORKERS,
    queueWriter: e.QUORUM_QUEUE_WRITER,
    tmpDir: dbPath === ':memory:' ? join(tmpdir(), `quorum-tmp-${process.pid}`) : join(dirname(dbPath), 'tmp'),
    ...overrides,
  };
}
