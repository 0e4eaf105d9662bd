export * from './projects.schemas.js';
export {
  createProject,
  deleteProject,
  getProject,
  listProjects,
  projectSettings,
  resolveProject,
  toProject,
  updateProject,
  updateSettings,
  type ProjectsDeps,
} from './projects.service.js';
