export * from './jobs.schemas.js';
export { JobRunner, toJob, type JobContext, type JobHandler, type JobTypeDefinition, type JobsDeps } from './jobs.service.js';
