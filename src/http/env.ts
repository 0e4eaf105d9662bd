import type { Deps } from '../deps.js';
import type { UserRow } from '../db/schema/users.js';

export interface AppEnv {
  Variables: {
    deps: Deps;
    user: UserRow;
  };
}
