import { Command, CommanderError } from 'commander';
import { VERSION } from '../core/version.js';
import { DomainError, errorMessage } from '../core/errors.js';
import { importCommands } from './commands/import.js';
import { jobCommands } from './commands/jobs.js';
import { agreementCommands } from './commands/agreement.js';
import { queueCommands } from './commands/queue.js';
import { modelCommands } from './commands/models.js';
import { simulateCommands } from './commands/simulate.js';
import { selectCommands } from './commands/select.js';
import { evaluateCommands } from './commands/evaluate.js';
import { projectCommands } from './commands/project.js';
import { serveCommands } from './commands/serve.js';
import { userCommands } from './commands/user.js';

/** Exit codes: 0 ok, 1 failure, 2 usage error. Errors are one line on stderr. */
export function buildProgram(): Command {
  const program = new Command('quorum')
    .description('Quorum: active-learning annotation with the model in the loop')
    .version(VERSION)
    .option('--db <path>', 'SQLite database file (default: QUORUM_DB, else data/quorum.db)')
    .option('--json', 'machine-readable output')
    .showSuggestionAfterError()
    .exitOverride();
  serveCommands(program);
  projectCommands(program);
  importCommands(program);
  userCommands(program);
  jobCommands(program);
  agreementCommands(program);
  queueCommands(program);
  modelCommands(program);
  simulateCommands(program);
  selectCommands(program);
  evaluateCommands(program);
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const cmd of all(program)) cmd.exitOverride();
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
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
