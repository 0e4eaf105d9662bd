export { openDb, migrateDb, runInTransaction, closeDb, type Db } from './client.js';
export * as tables from './schema/index.js';
export { GroupCommit } from './group-commit.js';
export { WalCheckpointer, scopedPragma } from './checkpointer.js';
