export * from './projects.schemas.js';
export {
  createProject,
  deleteProject,
  getProject,
  listProjects,
  resolveProject,
  toProject,
  updateProject,
  updateSettings,
  type ProjectsDeps,
} from './projects.service.js';
