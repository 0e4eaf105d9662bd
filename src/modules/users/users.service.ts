import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { ConflictError, NotFoundError, UnauthorizedError } from '../../core/errors.js';
import { hashToken, newToken } from '../../core/tokens.js';
import { parseOrThrow } from '../../core/validation.js';
import type { Db } from '../../db/index.js';
import type { UserRow } from '../../db/schema/users.js';
import { findActiveUserByTokenHash, findUserById, findUserByName, insertUser, listUserRows, updateUserRow } from './users.repo.js';
import { createUserSchema, type CreateUserInput, type User } from './users.schemas.js';

export interface UsersDeps {
  db: Db;
  clock: Clock;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    hasToken: row.tokenHash !== null,
    createdAt: toIso(row.createdAt)!,
    revokedAt: toIso(row.revokedAt),
  };
}

/**
 * Creates a user with a fresh token. An annotator that so far existed only in
 * imported labels (no token) is given a token instead of failing on its name.
 */
export function createUser(deps: UsersDeps, input: CreateUserInput): User & { token: string } {
  const data = parseOrThrow(createUserSchema, input, 'user');
  const token = newToken();
  const existing = findUserByName(deps.db, data.name);
  let row: UserRow;
  if (existing) {
    if (existing.tokenHash !== null || existing.revokedAt !== null || existing.role !== data.role) {
      throw new ConflictError(`a user named "${data.name}" already exists`);
    }
    row = updateUserRow(deps.db, existing.id, { tokenHash: hashToken(token), createdByImportId: null });
  } else {
    row = insertUser(deps.db, { name: data.name, role: data.role, tokenHash: hashToken(token), createdAt: deps.clock.now() });
  }
  return { ...toUser(row), token };
}

export function listUsers(deps: UsersDeps): User[] {
  return listUserRows(deps.db).map(toUser);
}

export function resolveUser(deps: UsersDeps, ref: string | number): UserRow {
  const s = String(ref).trim();
  const row = findUserByName(deps.db, s) ?? (/^\d+$/.test(s) ? findUserById(deps.db, Number(s)) : undefined);
  if (!row) throw new NotFoundError(`user "${s}" not found`);
  return row;
}

export function revokeUser(deps: UsersDeps, ref: string | number): User {
  const row = resolveUser(deps, ref);
  if (row.revokedAt !== null) return toUser(row);
  return toUser(updateUserRow(deps.db, row.id, { revokedAt: deps.clock.now() }));
}

/** The bearer token's user, or 401. Revoked and unknown tokens look the same to the caller. */
export function authenticate(deps: UsersDeps, token: string | undefined): UserRow {
  if (!token) throw new UnauthorizedError('missing bearer token (send "Authorization: Bearer <token>")');
  const row = findActiveUserByTokenHash(deps.db, hashToken(token));
  if (!row) throw new UnauthorizedError('invalid or revoked token');
  return row;
}
