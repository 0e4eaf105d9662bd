import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { listModels, registerModel, type ModelVersion } from '../../modules/models/index.js';
import { scoreNow } from '../../modules/scoring/index.js';
import { trainNow } from '../../modules/training/index.js';
import { choice, JobFailedError, output, parseLabels, progressReporter, table, whole, withDeps } from '../context.js';

interface AddFlags {
  kind: 'onnx' | 'http' | 'fake';
  file?: string;
  labels?: string;
  multiLabel?: boolean;
  input?: 'features' | 'text';
  inputName?: string;
  outputName?: string;
  outputs?: 'probabilities' | 'logits';
  url?: string;
  mode?: 'quorum' | 'label-studio';
  batchSize?: number;
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  header?: string[];
  seed?: number;
  config?: string;
}

function jsonFlag(flag: string, v: string | undefined): Record<string, unknown> {
  if (v === undefined) return {};
  try {
    const parsed = JSON.parse(v) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw new UsageError(`${flag} must be a JSON object, e.g. '{"epochs": 20}'`);
}

/** The request body POST /models takes, from the flags (the service validates it and names bad fields). */
function registrationBody(o: AddFlags): Record<string, unknown> {
  const headers = o.header?.length
    ? Object.fromEntries(
        o.header.map((h) => {
          const i = h.indexOf(':');
          if (i < 1) throw new UsageError(`--header must look like "Name: value", got "${h}"`);
          return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
        }),
      )
    : undefined;
  let model: string | undefined;
  if (o.kind === 'onnx') {
    if (!o.file) throw new UsageError('--kind onnx needs --file model.onnx');
    if (!existsSync(o.file)) throw new UsageError(`${o.file}: no such file`);
    model = readFileSync(o.file).toString('base64');
  } else if (o.file) throw new UsageError('--file is for --kind onnx');
  if (o.kind === 'http' && !o.url) throw new UsageError('--kind http needs --url');
  const body: Record<string, unknown> = {
    kind: o.kind,
    ...(model ? { model } : {}),
    ...(o.labels ? { labels: parseLabels(o.labels) } : {}),
    ...(o.multiLabel ? { multiLabel: true } : {}),
    ...(o.input ? { input: o.input } : {}),
    ...(o.inputName ? { inputName: o.inputName } : {}),
    ...(o.outputName ? { outputName: o.outputName } : {}),
    ...(o.outputs ? { outputs: o.outputs } : {}),
    ...(o.url ? { url: o.url } : {}),
    ...(o.mode ? { mode: o.mode } : {}),
    ...(o.batchSize ? { batchSize: o.batchSize } : {}),
    ...(o.concurrency ? { concurrency: o.concurrency } : {}),
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    ...(headers ? { headers } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  };
  return { ...body, ...jsonFlag('--config', o.config) };
}

function versionLine(v: ModelVersion): (string | number)[] {
  const snapshot = v.trainingSnapshot ? `${String(v.trainingSnapshot.labelCount)} labels` : '—';
  const acc = v.trainingReport?.validationAccuracy;
  return [v.version, v.kind, v.input, v.labels.length, snapshot, typeof acc === 'number' ? acc.toFixed(3) : '—', v.artifactHash ? v.artifactHash.slice(0, 12) : '—', v.createdAt];
}

export function modelCommands(program: Command): void {
  const model = program.command('model').description('model versions: register external models, list versions');
  const collect = (v: string, prev: string[] = []) => [...prev, v];
  model
    .command('add')
    .description('register an ONNX file, a remote HTTP model server or a fake model as a new version')
    .argument('<project>', 'project name or id')
    .requiredOption('--kind <kind>', 'onnx|http|fake (softmax and mlp are trained: quorum train)', choice('--kind', ['onnx', 'http', 'fake'] as const))
    .option('--file <path>', 'onnx: the .onnx classifier')
    .option('--labels <labels>', 'the output column order, comma-separated (onnx, http; fake: default the project labels)')
    .option('--multi-label', 'independent per-label probabilities')
    .option('--input <input>', 'onnx: features|text (text goes through a log-count hashed n-gram featurizer)', choice('--input', ['features', 'text'] as const))
    .option('--input-name <name>', 'onnx: graph input (default: the first)')
    .option('--output-name <name>', 'onnx: graph output (default: the first)')
    .option('--outputs <kind>', 'onnx: probabilities|logits', choice('--outputs', ['probabilities', 'logits'] as const))
    .option('--url <url>', 'http: base URL of the model server (POST {url}/predict)')
    .option('--mode <mode>', 'http: quorum|label-studio', choice('--mode', ['quorum', 'label-studio'] as const))
    .option('--batch-size <n>', 'http: items per request', whole('--batch-size', 1, 10_000))
    .option('--concurrency <n>', 'http: requests in flight', whole('--concurrency', 1, 64))
    .option('--timeout-ms <n>', 'http: per request', whole('--timeout-ms', 100, 600_000))
    .option('--retries <n>', 'http: retries on errors, timeouts, 429 and 5xx', whole('--retries', 0, 10))
    .option('--header <header>', 'http: "Name: value", repeatable (e.g. Authorization)', collect)
    .option('--seed <n>', 'fake: seed', whole('--seed', 0, 2 ** 32 - 1))
    .option('--config <json>', 'more settings as a JSON object (merged last)')
    .action(async (ref: string, o: AddFlags, cmd: Command) => {
      const body = registrationBody(o);
      await withDeps(cmd, async (deps) => {
        const v = await registerModel(deps, ref, body);
        output(cmd, v, () => `registered ${v.kind} model as version ${v.version} (labels: ${v.labels.join(', ')})`);
      });
    });

  model
    .command('list')
    .description('model versions, newest first')
    .argument('<project>', 'project name or id')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      await withDeps(cmd, (deps) => {
        const versions = listModels(deps, ref);
        output(cmd, { models: versions }, () =>
          versions.length === 0
            ? 'no model versions yet: quorum train PROJECT, or quorum model add PROJECT --kind …'
            : table([['VERSION', 'KIND', 'INPUT', 'LABELS', 'TRAINED ON', 'VAL ACC', 'HASH', 'CREATED'], ...versions.map(versionLine)]),
        );
      });
    });

  program
    .command('train')
    .description('train a built-in model on the labelled pool items (never eval or gold) and store it as a new version')
    .argument('<project>', 'project name or id')
    .option('--kind <kind>', 'softmax|mlp', choice('--kind', ['softmax', 'mlp'] as const), 'softmax')
    .option('--seed <n>', 'training seed (same labels + seed → same model)', whole('--seed', 0, 2 ** 32 - 1), 1)
    .option('--input <input>', 'features|text (default: features when the project has them)', choice('--input', ['features', 'text'] as const))
    .option('--epochs <n>', 'at most this many passes (early stopping usually ends sooner)', whole('--epochs', 1, 10_000))
    .option('--hidden <widths>', 'mlp: hidden layer widths, e.g. 256 or 256,128')
    .option('--params <json>', 'more hyper-parameters as JSON, e.g. \'{"classWeights":"balanced","featurizer":{"dimension":65536}}\'')
    .action(async (ref: string, o: { kind: 'softmax' | 'mlp'; seed: number; input?: 'features' | 'text'; epochs?: number; hidden?: string; params?: string }, cmd: Command) => {
      const hidden = o.hidden?.split(',').map((w) => whole('--hidden', 1, 16_384)(w.trim()));
      const body = { kind: o.kind, seed: o.seed, ...(o.input ? { input: o.input } : {}), ...(o.epochs ? { epochs: o.epochs } : {}), ...(hidden ? { hidden } : {}), ...jsonFlag('--params', o.params) };
      await withDeps(cmd, async (deps) => {
        const progress = progressReporter(cmd, `training ${o.kind}`, 'items');
        const { run, job } = await trainNow(deps, ref, body, (d, t) => progress.update(d, t));
        progress.stop();
        if (job.status !== 'succeeded') throw new JobFailedError(job.error ?? `training ${job.status}`);
        const r = job.result as { modelVersion: number; labelCount: number; itemCount: number; report: { validationAccuracy: number | null; epochsRun: number; ms: number } };
        output(cmd, { trainingRun: run, ...r }, () =>
          `trained ${o.kind} version ${r.modelVersion} on ${r.labelCount} labels of ${r.itemCount} pool items in ${(r.report.ms / 1000).toFixed(1)} s (${r.report.epochsRun} epochs; validation accuracy ${r.report.validationAccuracy?.toFixed(3) ?? '—'})`,
        );
      });
    });

  program
    .command('score')
    .description('score every item of the project with a model version (default: the latest); the predictions become current when it succeeds')
    .argument('<project>', 'project name or id')
    .option('--model-version <v>', 'version number', whole('--model-version', 1, 2 ** 31 - 1))
    .action(async (ref: string, o: { modelVersion?: number }, cmd: Command) => {
      await withDeps(cmd, async (deps) => {
        const progress = progressReporter(cmd, 'scoring', 'items');
        const { run, job } = await scoreNow(deps, ref, o.modelVersion ? { modelVersion: o.modelVersion } : {}, (d, t) => progress.update(d, t));
        progress.stop();
        if (job.status !== 'succeeded') throw new JobFailedError(job.error ?? `scoring ${job.status}`);
        const r = job.result as { items: number; skipped: number; seconds: number; itemsPerSecond: number };
        output(cmd, { scoringRun: run, ...r }, () =>
          `scored ${r.items} items with version ${run.modelVersion} in ${r.seconds.toFixed(1)} s (${r.itemsPerSecond} items/s)${r.skipped ? `; ${r.skipped} skipped (no input for this model)` : ''}`,
        );
      });
    });

  program
    .command('doctor')
    .description('check this machine: Node, database, model workers and their TF.js backend, onnxruntime')
    .action(async (_o: unknown, cmd: Command) => {
      await withDeps(cmd, async (deps) => {
        const migrations = (deps.db.$client.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
        let onnx: { ok: boolean; version?: string; error?: string };
        try {
          const ort = (await import('onnxruntime-node')) as { env?: { versions?: { common?: string } } };
          onnx = { ok: true, ...(ort.env?.versions?.common ? { version: ort.env.versions.common } : {}) };
        } catch (e) {
          onnx = { ok: false, error: String(e).split('\n')[0]! };
        }
        const backend = await deps.models.probeBackend();
        const report = {
          node: process.version, platform: `${process.platform}-${process.arch}`, cores: availableParallelism(),
          database: { path: deps.config.dbPath, migrations },
          models: { workers: deps.models.threads, backend: backend.name, attempts: backend.attempts },
          onnxruntime: onnx,
        };
        output(cmd, report, () =>
          [
            `node        ${report.node} (${report.platform}, ${report.cores} cores)`,
            `database    ${report.database.path} (${migrations} migrations applied)`,
            `TF.js       ${backend.name} in ${deps.models.threads} model worker thread(s)`,
            ...backend.attempts.filter((a) => !a.ok).map((a) => `            (${a.name} not used: ${a.error ?? '?'})`),
            `onnxruntime ${onnx.ok ? `ok${onnx.version ? ` ${onnx.version}` : ''}` : `unavailable: ${onnx.error}`}`,
          ].join('\n'),
        );
      });
    });
}
