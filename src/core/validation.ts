import type { z } from 'zod';
import { ValidationError, type ErrorDetail } from './errors.js';

export function zodIssuesToDetails(issues: readonly z.core.$ZodIssue[], prefix = ''): ErrorDetail[] {
  return issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    const field = prefix ? (path ? `${prefix}.${path}` : prefix) : path;
    return { ...(field ? { field } : {}), message: i.message };
  });
}

export function describeDetails(details: ErrorDetail[]): string {
  return details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)).join('; ');
}

/** Parses with a zod schema; failures become one ValidationError naming every field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = zodIssuesToDetails(parsed.error.issues);
  throw new ValidationError(`invalid ${what}: ${describeDetails(details)}`, details);
}
