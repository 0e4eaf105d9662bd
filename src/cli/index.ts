import { Command, CommanderError } from 'commander';
import { VERSION } from '../core/version.js';
import { DomainError, errorMessage } from '../core/errors.js';
import { commandOf } from './warm-up.js';

type Register = (program: Command) => void;

/**
 * The command modules, in the order help lists them, with the commands each adds.
 * A command line loads only the modules of its command (each pulls in its part of
 * Quorum: loading all of them took ~30% of the CLI's start-up); help, no command or
 * an unknown one load all.
 */
const COMMAND_MODULES: { commands: string[]; load: () => Promise<Register> }[] = [
  { commands: ['init', 'serve'], load: async () => (await import('./commands/serve.js')).serveCommands },
  { commands: ['project', 'queue'], load: async () => (await import('./commands/project.js')).projectCommands },
  { commands: ['import', 'export'], load: async () => (await import('./commands/import.js')).importCommands },
  { commands: ['user'], load: async () => (await import('./commands/user.js')).userCommands },
  { commands: ['jobs'], load: async () => (await import('./commands/jobs.js')).jobCommands },
  { commands: ['agreement', 'consensus'], load: async () => (await import('./commands/agreement.js')).agreementCommands },
  // adds `project configure` to the project command, and `queue`
  { commands: ['project', 'queue'], load: async () => (await import('./commands/queue.js')).queueCommands },
  { commands: ['model', 'train', 'score', 'doctor'], load: async () => (await import('./commands/models.js')).modelCommands },
  { commands: ['simulate'], load: async () => (await import('./commands/simulate.js')).simulateCommands },
  { commands: ['select'], load: async () => (await import('./commands/select.js')).selectCommands },
  { commands: ['retrain', 'evaluate'], load: async () => (await import('./commands/evaluate.js')).evaluateCommands },
];

/** Exit codes: 0 ok, 1 failure, 2 usage error. Errors are one line on stderr. `command`: only what it needs. */
export async function buildProgram(command?: string): Promise<Command> {
  const program = new Command('quorum')
    .description('Quorum: active-learning annotation with the model in the loop')
    .version(VERSION)
    .option('--db <path>', 'SQLite database file (default: QUORUM_DB, else data/quorum.db)')
    .option('--json', 'machine-readable output')
    .showSuggestionAfterError()
    .exitOverride();
  const wanted = COMMAND_MODULES.filter((m) => command !== undefined && m.commands.includes(command));
  const modules = await Promise.all((wanted.length ? wanted : COMMAND_MODULES).map((m) => m.load()));
  for (const register of modules) register(program);
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const cmd of all(program)) cmd.exitOverride();
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv.includes('--help') || argv.includes('-h') ? undefined : commandOf(argv));
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed help, the version or its one-line usage error
      return err.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`quorum: ${errorMessage(err)}\n`);
    return err instanceof DomainError ? err.exitCode : 1;
  }
}
