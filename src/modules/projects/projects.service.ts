import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { Db } from '../../db/index.js';
import { runInTransaction } from '../../db/index.js';
import type { ProjectRow } from '../../db/schema/projects.js';
import {
  countAnnotations,
  deleteProjectRow,
  findProjectById,
  findProjectByName,
  insertProject,
  listProjectRows,
  projectCounts,
  updateProjectRow,
} from './projects.repo.js';
import {
  createProjectSchema,
  projectSettingsPatchSchema,
  settingsOf,
  updateProjectSchema,
  type CreateProjectInput,
  type Project,
  type ProjectSettings,
  type UpdateProjectInput,
} from './projects.schemas.js';
import { parseOrThrow } from '../../core/validation.js';

export interface ProjectsDeps {
  db: Db;
  clock: Clock;
}

/** Accepts a project's numeric id or its name (CLI arguments and URL segments alike). */
export function resolveProject(deps: ProjectsDeps, ref: string | number): ProjectRow {
  const asString = String(ref).trim();
  const row = /^\d+$/.test(asString) ? findProjectById(deps.db, Number(asString)) : findProjectByName(deps.db, asString);
  if (!row) throw new NotFoundError(`project "${asString}" not found`);
  return row;
}

export function toProject(deps: ProjectsDeps, row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    labels: row.labels,
    multiLabel: row.multiLabel,
    scale: row.scale,
    settings: settingsOf(row.settings),
    featureDim: row.featureDim,
    counts: projectCounts(deps.db, row.id),
    createdAt: toIso(row.createdAt)!,
    updatedAt: toIso(row.updatedAt)!,
  };
}

export function createProject(deps: ProjectsDeps, input: CreateProjectInput): Project {
  const data = parseOrThrow(createProjectSchema, input, 'project');
  if (findProjectByName(deps.db, data.name)) throw new ConflictError(`a project named "${data.name}" already exists`);
  const now = deps.clock.now();
  const row = insertProject(deps.db, { ...data, settings: settingsOf(data.settings), createdAt: now, updatedAt: now });
  return toProject(deps, row);
}

export function listProjects(deps: ProjectsDeps): Project[] {
  return listProjectRows(deps.db).map((r) => toProject(deps, r));
}

/** Every project's id and settings, without the per-project counts `listProjects` computes (for periodic checks). */
export function projectSettings(deps: ProjectsDeps): { id: number; settings: ProjectSettings }[] {
  return listProjectRows(deps.db).map((r) => ({ id: r.id, settings: settingsOf(r.settings) }));
}

export function getProject(deps: ProjectsDeps, ref: string | number): Project {
  return toProject(deps, resolveProject(deps, ref));
}

/**
 * Labels may be appended freely; reordering, renaming or removing them would change
 * the meaning of stored annotations, so that is allowed only while none exist.
 */
export function updateProject(deps: ProjectsDeps, ref: string | number, input: UpdateProjectInput): Project {
  const patch = parseOrThrow(updateProjectSchema, input, 'project');
  const row = runInTransaction(deps.db, () => {
    const current = resolveProject(deps, ref);
    if (patch.name && patch.name !== current.name && findProjectByName(deps.db, patch.name)) {
      throw new ConflictError(`a project named "${patch.name}" already exists`);
    }
    if (patch.labels) {
      const appendsOnly = current.labels.every((l, i) => patch.labels![i] === l);
      if (!appendsOnly && countAnnotations(deps.db, current.id) > 0) {
        throw new ConflictError(
          'labels can only be appended once annotations exist (reordering, renaming or removing a label would change stored annotations)',
        );
      }
    }
    const scale = patch.scale ?? current.scale;
    if (current.multiLabel && scale !== 'nominal') {
      throw new ValidationError('a multi-label project has a nominal scale', [{ field: 'scale', message: 'must be nominal' }]);
    }
    return updateProjectRow(deps.db, current.id, {
      ...(patch.name ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.labels ? { labels: patch.labels } : {}),
      ...(patch.scale ? { scale: patch.scale } : {}),
      ...(patch.settings ? { settings: settingsOf({ ...current.settings, ...patch.settings }) } : {}),
      updatedAt: deps.clock.now(),
    });
  });
  return toProject(deps, row);
}

export function deleteProject(deps: ProjectsDeps, ref: string | number): void {
  const row = resolveProject(deps, ref);
  deleteProjectRow(deps.db, row.id);
}

/** Merges a settings patch into the project's settings; every key is validated with its range. */
export function updateSettings(deps: ProjectsDeps, ref: string | number, patch: unknown): Project {
  return updateProject(deps, ref, { settings: parseOrThrow(projectSettingsPatchSchema, patch, 'settings') });
}
