export { ensureDemo, DEMO_PROJECT, type DemoCredentials } from './demo.service.js';
