export * from './projects.js';
export * from './users.js';
export * from './jobs.js';
export * from './items.js';
export * from './queue.js';
export * from './models.js';
