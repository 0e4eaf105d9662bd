import { loadConfig } from './config/index.js';
import { buildDeps } from './deps.js';
import { ensureDemo } from './modules/demo/index.js';
import { startServer, stopOnSignals } from './server.js';
import { errorMessage } from './core/errors.js';

/** `npm start`: the server on the SQLite default, with the demo project ready. */
async function main(): Promise<void> {
  const config = loadConfig();
  const deps = buildDeps(config);
  const demo = await ensureDemo(deps);
  const server = await startServer(deps);
  const lines = [
    '',
    `Quorum is running at ${server.url}`,
    `  database   ${config.dbPath}`,
    `  label      ${server.url}/signin?token=${demo.annotator.token}&next=/label/${demo.project}`,
    `             (signs the demo annotator in and opens the labeling page)`,
    `  dashboard  ${server.url}/signin?next=/projects/${demo.project}  (sign in with the admin token)`,
    `  API docs   ${server.url}/api/v1/docs`,
    `  demo       project "${demo.project}" (SpamAssassin e-mails, ham/spam)`,
    `  admin      ${demo.admin.name}  token ${demo.admin.token}`,
    `  annotator  ${demo.annotator.name}  token ${demo.annotator.token}`,
    '',
    `  try: curl -H "Authorization: Bearer ${demo.admin.token}" ${server.url}/api/v1/projects/${demo.project}`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  stopOnSignals(server, deps);
}

main().catch((err: unknown) => {
  process.stderr.write(`quorum: ${errorMessage(err)}\n`);
  process.exit(1);
});
