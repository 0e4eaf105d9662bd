import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { buildDeps } from '../../deps.js';
import { UsageError } from '../../core/errors.js';
import { ensureDemo } from '../../modules/demo/index.js';
import { globals, output, withDeps } from '../context.js';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got "${v}"`);
  return n;
}

export function serveCommands(program: Command): void {
  program
    .command('init')
    .description('create the database (or bring it up to date) and optionally the demo project')
    .option('--demo', 'also create the demo project and users')
    .action(async (o: { demo?: boolean }, cmd: Command) => {
      await withDeps(cmd, async (deps) => {
        const demo = o.demo ? await ensureDemo(deps) : undefined;
        output(cmd, { database: deps.config.dbPath, ...(demo ? { demo } : {}) }, () =>
          [`database ready: ${deps.config.dbPath}`, ...(demo ? [`demo project ${demo.project}; admin token ${demo.admin.token}; annotator token ${demo.annotator.token}`] : [])].join('\n'),
        );
      });
    });

  program
    .command('serve')
    .description('run the HTTP server')
    .option('--port <port>', 'port (default: PORT or 3000; 0 picks a free one)', port)
    .option('--host <host>', 'address to listen on (default: QUORUM_HOST or 127.0.0.1)')
    .option('--demo', 'create the demo project and users first')
    .action(async (o: { port?: number; host?: string; demo?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const config = loadConfig(process.env, {
        ...(g.db ? { dbPath: g.db } : {}),
        ...(o.port !== undefined ? { port: o.port } : {}),
        ...(o.host ? { host: o.host } : {}),
      });
      // the HTTP stack (Hono, every route and page) loads only here, not for every CLI command
      const { startServer, stopOnSignals } = await import('../../server.js');
      const deps = buildDeps(config);
      const demo = o.demo ? await ensureDemo(deps) : undefined;
      const server = await startServer(deps);
      output(cmd, { url: server.url, port: server.port, database: config.dbPath, ...(demo ? { demo } : {}) }, () =>
        [`Quorum is running at ${server.url} (database ${config.dbPath})`, ...(demo ? [`demo admin token ${demo.admin.token}`, `demo annotator token ${demo.annotator.token}`] : [])].join('\n'),
      );
      stopOnSignals(server, deps);
    });
}
