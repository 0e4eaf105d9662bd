import type { SqliteHandle } from '../scoring/item-batches.repo.js';

/** What an adapter needs to load a version. */
export interface VersionSpec {
  id: number;
  kind: string;
  labels: string[];
  multiLabel: boolean;
  input: string;
  config: Record<string, unknown>;
  artifact: Uint8Array | null;
}

/** Read with a plain handle: workers load versions through their own read-only connection. */
export function readVersionSpec(h: SqliteHandle, versionId: number): VersionSpec | undefined {
  const row = h.prepare('SELECT id, kind, labels, multi_label, input, config, artifact FROM model_versions WHERE id = ?').get(versionId) as
    | { id: number; kind: string; labels: string; multi_label: number; input: string; config: string; artifact: Buffer | null }
    | undefined;
  if (!row) return undefined;
  return {
    id: row.id,
    kind: row.kind,
    labels: JSON.parse(row.labels) as string[],
    multiLabel: row.multi_label === 1,
    input: row.input,
    config: JSON.parse(row.config) as Record<string, unknown>,
    artifact: row.artifact ? new Uint8Array(row.artifact.buffer, row.artifact.byteOffset, row.artifact.byteLength) : null,
  };
}
