import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.js';

/** The labeling page (/label/:project) and the review page (/review/:project). */
export function annotationPages(app: OpenAPIHono<AppEnv>): void {
  void app;
}
