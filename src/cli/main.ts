/**
 * The CLI's entry (bin/quorum.js runs its bundle, dist/cli/quorum.js). What the command can start early
 * starts first; the rest of the CLI loads meanwhile.
 */
import { warmUp } from './warm-up.js';

warmUp(process.argv.slice(2));
const { runCli } = await import('./index.js');
const code = await runCli(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
