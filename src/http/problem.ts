import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from '@hono/zod-openapi';
import { DomainError, type ErrorDetail } from '../core/errors.js';
import type { Logger } from 'pino';

/** RFC 9457 problem details; `code` is stable for clients to branch on. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z
      .array(z.object({ location: z.string().optional(), field: z.string().optional(), message: z.string() }))
      .optional(),
  })
  .openapi('Problem');

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

export function problemResponse(status: number, code: string, detail: string, errors: ErrorDetail[] = []): Response {
  const body = {
    type: `https://quorum.dev/problems/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors.length ? { errors } : {}),
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}) },
  });
}

/** The one place errors become HTTP responses. */
export function toProblem(err: unknown, c: Context, logger: Logger): Response {
  if (err instanceof DomainError) return problemResponse(err.status, err.code, err.message, err.details);
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = status === 413 ? 'payload_too_large' : status === 404 ? 'not_found' : status === 400 ? 'malformed_body' : 'http_error';
    return problemResponse(status, code, err.message || TITLES[status] || 'error');
  }
  logger.error({ err, path: c.req.path, method: c.req.method }, 'unhandled error');
  return problemResponse(500, 'internal', 'internal server error; the server log has the details');
}

