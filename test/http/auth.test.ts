import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/core/labels.js';
import { appFor, makeProject, makeTestDeps, tokenFor, type TestContext } from '../helpers.js';

interface Operation {
  method: string;
  path: string;
  roles: string[];
}

let t: TestContext;
let api: ReturnType<typeof appFor>;
let operations: Operation[];
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  t = makeTestDeps();
  makeProject(t.deps);
  api = appFor(t.deps);
  for (const role of ROLES) tokens[role] = tokenFor(t.deps, role);
  const doc = (await (await api.request('GET', '/api/v1/openapi.json')).json()) as {
    paths: Record<string, Record<string, { 'x-roles'?: string[] }>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, roles: op['x-roles'] ?? [] })),
  );
});
afterAll(() => t.close());

/** Non-existent resources: a 404 proves the request got past authentication and authorisation, and nothing changes. */
function concrete(path: string): string {
  return path
    .replace('{project}', 'no-such-project')
    .replace('{itemId}', 'no-such-item')
    .replace('{id}', '999999')
    .replace('{user}', 'no-such-user');
}

describe('every operation declares and enforces its roles', () => {
  it('the document lists the operations, each with roles', () => {
    expect(operations.length).toBeGreaterThanOrEqual(14);
    for (const op of operations) expect(op.roles.length, `${op.method} ${op.path}`).toBeGreaterThan(0);
    const secured = operations.filter((o) => !o.roles.includes('public'));
    expect(secured.length).toBeGreaterThanOrEqual(12);
  });

  it('no token and a wrong token → 401; each role → 403 unless allowed', async () => {
    const checked: string[] = [];
    for (const op of operations) {
      const path = concrete(op.path);
      const body = op.method === 'GET' ? undefined : {};
      const name = `${op.method} ${op.path}`;
      if (op.roles.includes('public')) {
        const res = await api.request(op.method, path);
        expect(res.status, name).toBe(200);
        continue;
      }
      const none = await api.request(op.method, path, { body });
      expect(none.status, `${name} without token`).toBe(401);
      expect(none.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(((await none.json()) as { code: string }).code).toBe('unauthorized');
      const wrong = await api.request(op.method, path, { token: 'qrm_' + 'x'.repeat(43), body });
      expect(wrong.status, `${name} with a wrong token`).toBe(401);
      for (const role of ROLES) {
        const res = await api.request(op.method, path, { token: tokens[role], body });
        if (op.roles.includes(role)) {
          expect([401, 403], `${name} as ${role} should be allowed`).not.toContain(res.status);
        } else {
          expect(res.status, `${name} as ${role} should be forbidden`).toBe(403);
          expect(((await res.json()) as { code: string }).code).toBe('forbidden');
        }
      }
      checked.push(name);
    }
    expect(checked).toContain('POST /api/v1/projects/{project}/items');
    expect(checked).toContain('GET /api/v1/projects/{project}/export');
  });

  it('a revoked token is refused', async () => {
    const { createUser, revokeUser } = await import('../../src/modules/users/index.js');
    const u = createUser(t.deps, { name: 'temp-admin', role: 'admin' });
    expect((await api.request('GET', '/api/v1/me', { token: u.token })).status).toBe(200);
    revokeUser(t.deps, 'temp-admin');
    expect((await api.request('GET', '/api/v1/me', { token: u.token })).status).toBe(401);
  });

  it('tokens are stored only as hashes', () => {
    const rows = t.deps.db.$client.prepare('SELECT token_hash FROM users WHERE token_hash IS NOT NULL').all() as { token_hash: string }[];
    for (const token of Object.values(tokens)) expect(rows.map((r) => r.token_hash)).not.toContain(token);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });
});
