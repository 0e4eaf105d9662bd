import type { Command } from 'commander';
import { ROLES } from '../../core/labels.js';
import { createUser, listUsers, revokeUser } from '../../modules/users/index.js';
import { choice, output, table, withCoreDeps } from '../context.js';

export function userCommands(program: Command): void {
  const user = program.command('user').description('manage users and their tokens');

  user
    .command('add')
    .description('create a user and print its token (shown once)')
    .argument('<name>', 'user name')
    .requiredOption('--role <role>', `${ROLES.join('|')}`, choice('--role', ROLES))
    .action(async (name: string, o: { role: (typeof ROLES)[number] }, cmd: Command) => {
      await withCoreDeps(cmd, (deps) => {
        const u = createUser(deps, { name, role: o.role });
        output(cmd, u, () => `created ${u.role} ${u.name}\ntoken: ${u.token}\n(the token is shown only now; keep it safe)`);
      });
    });

  user
    .command('list')
    .description('list users')
    .action(async (_o: unknown, cmd: Command) => {
      await withCoreDeps(cmd, (deps) => {
        const us = listUsers(deps);
        output(cmd, us, () =>
          table([['ID', 'NAME', 'ROLE', 'TOKEN', 'REVOKED'], ...us.map((u) => [u.id, u.name, u.role, u.hasToken ? 'yes' : 'no', u.revokedAt ?? ''])]),
        );
      });
    });

  user
    .command('revoke')
    .description("revoke a user's token")
    .argument('<name>', 'user name or id')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      await withCoreDeps(cmd, (deps) => {
        const u = revokeUser(deps, name);
        output(cmd, u, () => `revoked ${u.name}`);
      });
    });
}
