/** Model versions: registering external models, listing, and the one lookup every run uses. */
import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { parseOrThrow } from '../../core/validation.js';
import { runInTransaction, type Db } from '../../db/index.js';
import type { ModelVersionRow } from '../../db/schema/models.js';
import type { ProjectRow } from '../../db/schema/projects.js';
import { resolveProject } from '../projects/index.js';
import { createAdapter } from './adapters/index.js';
import { registerModelSchema, type ModelVersion } from './models.schemas.js';
import { artifactSize, findModelVersion, insertModelVersion, latestModelVersion, listModelVersionRows, type NewModelVersion } from './models.repo.js';

export interface ModelsDeps {
  db: Db;
  clock: Clock;
}

/** Secrets (HTTP headers such as Authorization) never leave the server. */
function publicConfig(config: Record<string, unknown>): Record<string, unknown> {
  const headers = config.headers;
  if (!headers || typeof headers !== 'object') return config;
  return { ...config, headers: Object.fromEntries(Object.keys(headers).map((k) => [k, '***'])) };
}

export function toModelVersion(row: Omit<ModelVersionRow, 'artifact'>, bytes: number | null): ModelVersion {
  return {
    id: row.id,
    version: row.version,
    kind: row.kind,
    labels: row.labels,
    multiLabel: row.multiLabel,
    input: row.input as ModelVersion['input'],
    config: publicConfig(row.config),
    artifactHash: row.artifactHash,
    artifactBytes: bytes,
    hyperParams: row.hyperParams,
    seed: row.seed,
    trainingRunId: row.trainingRunId,
    trainingSnapshot: row.trainingSnapshot,
    trainingReport: row.trainingReport,
    createdAt: toIso(row.createdAt)!,
  };
}

/** A version's labels must be distinct labels of the project, with the project's single/multi-label mode. */
export function checkVersionLabels(project: ProjectRow, labels: readonly string[], multiLabel: boolean): void {
  const known = new Set(project.labels);
  const unknown = labels.filter((l) => !known.has(l));
  if (unknown.length) throw new ValidationError(`labels not in project "${project.name}": ${unknown.join(', ')} (project labels: ${project.labels.join(', ')})`, [{ field: 'labels', message: 'unknown label' }]);
  if (new Set(labels).size !== labels.length) throw new ValidationError('labels must be distinct', [{ field: 'labels', message: 'duplicate label' }]);
  if (multiLabel !== project.multiLabel) {
    throw new ValidationError(`project "${project.name}" is ${project.multiLabel ? 'multi-label' : 'single-label'}; the model must be too (multiLabel: ${project.multiLabel})`, [{ field: 'multiLabel', message: 'mode mismatch' }]);
  }
}

/**
 * Registers an ONNX, HTTP or fake model as a new version. ONNX bytes are loaded once
 * here, so a model that onnxruntime cannot read, or whose names/widths do not
 * match, is refused before anything is stored.
 */
export async function registerModel(deps: ModelsDeps, projectRef: string | number, body: unknown): Promise<ModelVersion> {
  const project = resolveProject(deps, projectRef);
  const parsed = parseOrThrow(registerModelSchema, body, 'model');
  let config: Record<string, unknown>;
  let artifact: Buffer | null = null;
  let labels: string[];
  let input: 'features' | 'text';
  if (parsed.kind === 'onnx') {
    const { model, ...cfg } = parsed;
    artifact = Buffer.from(model, 'base64');
    config = { ...cfg };
    labels = cfg.labels;
    input = cfg.input;
    if (input === 'features' && project.featureDim === null) throw new ValidationError(`the model reads features, and project "${project.name}" has none`, [{ field: 'input', message: 'no features' }]);
  } else if (parsed.kind === 'http') {
    config = { ...parsed };
    labels = parsed.labels;
    input = 'text';
  } else {
    labels = parsed.labels ?? project.labels;
    config = { ...parsed, labels };
    input = 'text';
  }
  checkVersionLabels(project, labels, parsed.multiLabel);
  // Load once: refuses what the adapter cannot use, before anything is stored.
  const adapter = await createAdapter({ kind: parsed.kind, labels, multiLabel: parsed.multiLabel, config, artifact });
  await adapter.dispose();
  const row = storeVersion(deps, {
    projectId: project.id,
    kind: parsed.kind,
    labels,
    multiLabel: parsed.multiLabel,
    input,
    config,
    artifact,
    artifactHash: artifact ? sha256(artifact) : null,
    createdAt: deps.clock.now(),
  });
  return toModelVersion(row, artifact?.length ?? null);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Stores a new immutable version (registered or trained). */
export function storeVersion(deps: ModelsDeps, row: NewModelVersion): ModelVersionRow {
  return runInTransaction(deps.db, () => insertModelVersion(deps.db, row));
}

export function listModels(deps: ModelsDeps, projectRef: string | number): ModelVersion[] {
  const project = resolveProject(deps, projectRef);
  return listModelVersionRows(deps.db, project.id).map((r) => toModelVersion(r, artifactSize(deps.db, r.id)));
}

/** A project's version by number, or its latest when `version` is omitted. */
export function requireModelVersion(deps: ModelsDeps, project: ProjectRow, version?: number): ModelVersionRow {
  const row = version === undefined ? latestModelVersion(deps.db, project.id) : findModelVersion(deps.db, project.id, version);
  if (!row) {
    throw new NotFoundError(
      version === undefined
        ? `project "${project.name}" has no model version yet: train one (quorum train) or register one (quorum model add)`
        : `project "${project.name}" has no model version ${version}`,
    );
  }
  return row;
}

export function getModelVersion(deps: ModelsDeps, projectRef: string | number, version: number): ModelVersion {
  const row = requireModelVersion(deps, resolveProject(deps, projectRef), version);
  return toModelVersion(row, row.artifact?.length ?? null);
}
