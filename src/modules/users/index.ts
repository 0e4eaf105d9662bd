export * from './users.schemas.js';
export { authenticate, createUser, listUsers, resolveUser, revokeUser, toUser, type UsersDeps } from './users.service.js';
export { deleteOrphanImportedAnnotators, findUserByName, insertUser } from './users.repo.js';
