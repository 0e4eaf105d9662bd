import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.js';
import type { Deps } from './deps.js';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on the configured host and port; resolves once the socket is bound (port 0 picks a free one). */
export function startServer(deps: Deps, port = deps.config.port, host = deps.config.host): Promise<RunningServer> {
  const app = createApp(deps);
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is already in use; pass --port or set PORT`) : err);
    };
    server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
      server.off('error', onError);
      // /health reports the model workers' TF.js backend: start them now rather than at the first scoring run.
      deps.models.probeBackend().catch((e: unknown) => deps.logger.warn({ err: String(e) }, 'model workers did not start'));
      deps.startLoop();
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      resolve({
        url: `http://${shownHost}:${info.port}`,
        port: info.port,
        close: () => new Promise<void>((res) => server.close(() => res())),
      });
    });
    server.once('error', onError);
  });
}

/** Stops the server and the job runner on SIGINT/SIGTERM, then exits 0. */
export function stopOnSignals(server: RunningServer, deps: Deps): void {
  const stop = async () => {
    await server.close();
    await deps.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
