/**
 * What a command can start before the CLI's modules have loaded: loading them
 * keeps one core busy for ~200 ms (the ESM loader and the schemas), and the
 * other core would wait. Imports only what it starts.
 */
import { statSync } from 'node:fs';
import { PARALLEL_MIN_BYTES, autoParseThreads, prestartParseThread } from '../modules/items/import/parse-threads.js';

/** Global options that take a value. */
const VALUED_GLOBALS = ['--db'];
/** Options of `quorum import` that take a value (a test holds this list to the command's). */
export const IMPORT_VALUED_OPTIONS = ['--split', '--label-source', '--on-error', '--rejects', '--format'];
/** As the configuration's QUORUM_MAX_LINE_MB (default 16; a test holds them equal). */
const DEFAULT_MAX_LINE_MB = 16;
const MAX_PRESTARTED_THREADS = 16;

/** The words of a command line that are neither options nor their values. */
function positionals(argv: readonly string[], valued: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (valued.includes(word)) i++;
    else if (!word.startsWith('-')) words.push(word);
  }
  return words;
}

/** The command word of a `quorum` command line ("import"). */
export function commandOf(argv: readonly string[]): string | undefined {
  return positionals(argv, VALUED_GLOBALS)[0];
}

/** The file of a `quorum import PROJECT FILE` command line, when it names a JSONL file. */
export function importFileOf(argv: readonly string[]): string | undefined {
  const words = positionals(argv, [...VALUED_GLOBALS, ...IMPORT_VALUED_OPTIONS]);
  const file = words[0] === 'import' ? words[2] : undefined;
  const format = argv.find((w, i) => argv[i - 1] === '--format' || w.startsWith('--format='))?.replace(/^--format=/, '');
  if (file === undefined || (format !== undefined && format !== 'jsonl')) return undefined;
  return format === 'jsonl' || /\.(jsonl|ndjson|json)$/i.test(file) ? file : undefined;
}

function threadsWanted(env: NodeJS.ProcessEnv): number {
  const setting = env.QUORUM_IMPORT_WORKERS?.trim() || 'auto';
  if (setting === 'auto') return autoParseThreads();
  return /^[0-9]+$/.test(setting) ? Math.min(Number(setting), MAX_PRESTARTED_THREADS) : 0;
}

/**
 * `quorum import` starts its parse threads. With one thread (2-3 cores) and a
 * JSONL file big enough for it, the thread starts reading and parsing the file at
 * once: the import then finds the first lines (up to ~24,000) parsed. Guesses are safe: an
 * import takes a thread's reading only for the same file, unchanged, with the same
 * line limit, and threads nobody takes end with the process.
 */
export function warmUp(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  try {
    startAhead(argv, env);
  } catch {
    // only a head start: the import starts its threads itself, and says what is wrong with its input
  }
}

function startAhead(argv: readonly string[], env: NodeJS.ProcessEnv): void {
  if (commandOf(argv) !== 'import') return;
  const threads = threadsWanted(env);
  if (threads === 0) return;
  const file = importFileOf(argv);
  const maxLineMb = Number(env.QUORUM_MAX_LINE_MB?.trim() || DEFAULT_MAX_LINE_MB);
  let size = 0;
  try {
    size = file === undefined ? 0 : statSync(file).size;
  } catch {
    // no such file: the command says so
  }
  if (size < PARALLEL_MIN_BYTES) return;
  if (threads === 1 && file !== undefined && Number.isFinite(maxLineMb) && maxLineMb > 0) {
    prestartParseThread({ file, maxLineBytes: Math.round(maxLineMb * 1024 * 1024) });
    return;
  }
  for (let i = 0; i < threads; i++) prestartParseThread();
}
