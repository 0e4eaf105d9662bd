import { chmodSync, createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Config } from '../../config/index.js';
import type { Deps } from '../../deps.js';
import { projectRoot } from '../../core/paths.js';
import { createProject, deleteProject, resolveProject } from '../projects/index.js';
import { createUser, listUsers } from '../users/index.js';
import { importItems } from '../items/index.js';
import { NotFoundError } from '../../core/errors.js';
import { queueColdStart } from '../queue/index.js';

export const DEMO_PROJECT = 'demo-spam';
export const DEMO_ADMIN = 'demo-admin';
export const DEMO_ANNOTATOR = 'demo-annotator';

export interface DemoCredentials {
  project: string;
  admin: { name: string; token: string };
  annotator: { name: string; token: string };
}

/** Beside the database, so each database keeps its own demo tokens. */
function credentialsPath(config: Config): string {
  return config.dbPath === ':memory:' ? join(config.tmpDir, 'demo-credentials.json') : join(dirname(config.dbPath), 'demo-credentials.json');
}

/** Pool items lose their label (people will label them); eval items keep the corpus label as ground truth. */
async function* demoLines(): AsyncGenerator<string> {
  const file = join(projectRoot(), 'data', 'datasets', 'spamassassin.jsonl.gz');
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    const rec = JSON.parse(line) as { id: string; split: string; text: string; label?: string };
    if (rec.split === 'pool') delete rec.label;
    yield JSON.stringify(rec) + '\n';
  }
}

/**
 * Creates the demo project, admin and annotator once. The tokens are kept in
 * data/demo-credentials.json (mode 600) so that every start can print them.
 */
export async function ensureDemo(deps: Deps): Promise<DemoCredentials> {
  const path = credentialsPath(deps.config);
  let exists = true;
  try {
    resolveProject(deps, DEMO_PROJECT);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    exists = false;
  }
  if (exists && existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as DemoCredentials;
  if (!exists) {
    createProject(deps, {
      name: DEMO_PROJECT,
      description: 'SpamAssassin e-mails: is each one ham or spam? (bundled demo data, see data/datasets/README.md)',
      labels: ['ham', 'spam'],
      // The loop runs from the first labels on: a model after 20, retrained every 20 more, each
      // promotion re-scores the pool and queues the 20 items the champion is least sure about.
      settings: { retrainEveryNewLabels: 20, loopStrategy: 'margin', loopBatchSize: 20, promotionPolicy: 'auto' },
    });
    try {
      await importItems(deps, {
        project: DEMO_PROJECT, source: Readable.from(demoLines()), sourceName: 'spamassassin.jsonl.gz', format: 'jsonl',
        split: 'pool', labelSource: 'corpus', onError: 'abort', upsert: false, maxLineBytes: deps.config.maxLineBytes,
      });
    } catch (err) {
      deleteProject(deps, DEMO_PROJECT);
      throw err;
    }
    queueColdStart(deps, DEMO_PROJECT);
  }
  const creds: DemoCredentials = {
    project: DEMO_PROJECT,
    admin: createdUser(deps, DEMO_ADMIN, 'admin'),
    annotator: createdUser(deps, DEMO_ANNOTATOR, 'annotator'),
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return creds;
}

function createdUser(deps: Deps, base: string, role: 'admin' | 'annotator'): { name: string; token: string } {
  const user = createUser(deps, { name: uniqueName(deps, base), role });
  return { name: user.name, token: user.token };
}

/** When the credentials file was lost, the demo users get fresh tokens under a new name (old tokens cannot be shown again). */
function uniqueName(deps: Deps, base: string): string {
  const taken = new Set(listUsers(deps).map((u) => u.name));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
