/**
 * One typed error hierarchy for the whole product. HTTP maps `status` + `code`
 * to an RFC 9457 problem document in one place (src/http/problem.ts); the CLI
 * prints `message` on one line and exits with `exitCode`.
 */
export interface ErrorDetail {
  /** Where the problem is: a body path (`labels[2]`), a file position (`items.jsonl:12`), a flag (`--split`). */
  location?: string;
  field?: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly exitCode: number = 1;
  readonly details: ErrorDetail[];

  constructor(message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly code = 'validation_failed';
}

export class UsageError extends DomainError {
  readonly status = 400;
  readonly code = 'usage';
  override readonly exitCode = 2;
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = 'unauthorized';
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = 'forbidden';
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'not_found';
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly code = 'conflict';
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

/** A problem with an import file: always names the file, the line and (when known) the field. */
export class ImportLineError extends DomainError {
  readonly status = 400;
  readonly code = 'import_invalid_line';
  constructor(
    readonly source: string,
    readonly line: number,
    readonly reason: string,
    readonly field?: string,
  ) {
    super(`${source}:${line}: ${field ? `${field}: ` : ''}${reason}`, [
      { location: `${source}:${line}`, ...(field ? { field } : {}), message: reason },
    ]);
  }
}

export class CancelledError extends DomainError {
  readonly status = 409;
  readonly code = 'cancelled';
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A model answered with something unusable (wrong shape, NaN, rows not summing to 1, unknown labels). */
export class ModelOutputError extends DomainError {
  readonly status = 502;
  readonly code = 'model_output_invalid';
}

/** A model could not be reached or loaded (remote server down after retries, unreadable ONNX file). */
export class ModelUnavailableError extends DomainError {
  readonly status = 502;
  readonly code = 'model_unavailable';
}

/** A DomainError as it crosses a thread boundary (structured clone drops the class). */
export interface WireError {
  name: string;
  message: string;
  status?: number;
  code?: string;
  details?: ErrorDetail[];
  exitCode?: number;
}

export function toWireError(err: unknown): WireError {
  if (err instanceof DomainError) return { name: err.name, message: err.message, status: err.status, code: err.code, details: err.details, exitCode: err.exitCode };
  return { name: err instanceof Error ? err.name : 'Error', message: errorMessage(err) };
}

/** The error thrown in another thread, rebuilt: same name, message, status, code and details. */
class RemoteDomainError extends DomainError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    details: ErrorDetail[],
    override readonly exitCode: number,
    name: string,
  ) {
    super(message, details);
    this.name = name;
  }
}

export function fromWireError(w: WireError): Error {
  if (w.status !== undefined && w.code !== undefined) return new RemoteDomainError(w.status, w.code, w.message, w.details ?? [], w.exitCode ?? 1, w.name);
  const e = new Error(w.message);
  e.name = w.name;
  return e;
}
