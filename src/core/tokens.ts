import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'qrm_';

/** 256 bits of randomness; shown once, stored only as a hash. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Tokens are high-entropy, so a fast unsalted hash is enough (no dictionary to attack). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function looksLikeToken(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX) && value.length > TOKEN_PREFIX.length + 20;
}
