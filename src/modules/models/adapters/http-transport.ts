/**
 * Requests to a remote model server. Each attempt has its own timeout; failures that
 * may pass (network errors, timeouts, HTTP 429 and 5xx) are retried with exponential
 * backoff, while answers that will not change on a retry (other 4xx) fail at once.
 * An aborted caller signal stops everything promptly and rejects with its reason.
 */
import { ModelUnavailableError } from '../../../core/errors.js';

export type Sleep = (ms: number) => Promise<void>;

export interface TransportOptions {
  /** Normalised base URL, without a trailing slash. */
  baseUrl: string;
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  fetch: typeof fetch;
  /** Injected by tests to record waits; the default is a timer cleared on abort. */
  sleep?: Sleep | undefined;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** Neither a server's Retry-After nor our own backoff may park a batch longer than this. */
export const MAX_WAIT_MS = 60_000;
/** Spreads the retries of concurrent requests that failed together. */
const JITTER_FRACTION = 0.1;
const BODY_EXCERPT_CHARS = 200;

export type AttemptOutcome = { ok: true; answer: HttpAnswer } | { ok: false; reason: string };

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Retry-After as delta-seconds or an HTTP date, capped at {@link MAX_WAIT_MS}; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v) - now;
  if (Number.isNaN(ms)) return null;
  return Math.min(MAX_WAIT_MS, Math.max(0, ms));
}

function networkFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici reports "fetch failed" and keeps the useful part (ECONNREFUSED, …) in the cause
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  return detail ? `${err.message} (${detail})` : err.message;
}

/** Once per request, outside the attempts: an unserialisable payload is a caller bug, not a reason to retry. */
function serialize(body: unknown): string | undefined {
  return body === undefined ? undefined : JSON.stringify(body);
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function injectedSleep(sleep: Sleep, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return sleep(ms);
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export class HttpTransport {
  readonly source: string;

  constructor(private readonly options: TransportOptions) {
    this.source = `http model ${options.baseUrl}`;
  }

  /** A 2xx answer, retrying what may pass. */
  async send(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<HttpAnswer> {
    const { retries, backoffMs } = this.options;
    const attempts = retries + 1;
    const payload = serialize(body);
    let reason = '';
    for (let attempt = 0; attempt < attempts; attempt++) {
      const outcome = await this.attempt(method, path, payload, signal);
      let wait = Math.min(MAX_WAIT_MS, backoffMs * 2 ** attempt * (1 + Math.random() * JITTER_FRACTION));
      if (outcome.ok) {
        const { status, headers, text } = outcome.answer;
        if (status >= 200 && status < 300) return outcome.answer;
        if (!isRetryableStatus(status)) {
          throw new ModelUnavailableError(`${this.source}: ${method} ${path} answered HTTP ${status}: ${text.slice(0, BODY_EXCERPT_CHARS)}`);
        }
        reason = `${method} ${path} answered HTTP ${status}`;
        wait = retryAfterMs(headers.get('retry-after')) ?? wait;
      } else {
        reason = outcome.reason;
      }
      if (attempt + 1 < attempts) await this.pause(Math.round(wait), signal);
    }
    throw new ModelUnavailableError(`${this.source}: ${reason} after ${attempts} attempt${attempts === 1 ? '' : 's'}`);
  }

  /** One attempt, whatever the status: for probes, where a failure is itself the answer. */
  async sendOnce(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<AttemptOutcome> {
    return this.attempt(method, path, serialize(body), signal);
  }

  private pause(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return this.options.sleep ? injectedSleep(this.options.sleep, ms, signal) : defaultSleep(ms, signal);
  }

  private async attempt(method: string, path: string, payload: string | undefined, signal?: AbortSignal): Promise<AttemptOutcome> {
    signal?.throwIfAborted();
    const { baseUrl, headers, timeoutMs } = this.options;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = (): void => controller.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.options.fetch(`${baseUrl}${path}`, {
        method,
        headers: { accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(payload === undefined ? {} : { body: payload }),
        signal: controller.signal,
      });
      // the body is read under the same timeout: a server may stall after the headers
      const text = await response.text();
      return { ok: true, answer: { status: response.status, headers: response.headers, text } };
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (timedOut) return { ok: false, reason: `${method} ${path} timed out after ${timeoutMs} ms` };
      return { ok: false, reason: `${method} ${path} failed: ${networkFailure(err)}` };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
