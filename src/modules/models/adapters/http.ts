/**
 * The `http` model adapter: a remote model server, called from the main thread with
 * Node's fetch. A batch is split into `batchSize` requests, at most `concurrency` in
 * flight, each with a timeout and retries (http-transport.ts); rows keep batch order
 * and columns come back in `config.labels` order.
 *
 * Modes: 'quorum', Quorum's own contract (http-quorum.ts), and 'label-studio', the
 * Label Studio ML backend protocol (label-studio.ts). Both POST {url}/predict, and
 * every answer then passes the shared range / row-sum check, whose message is
 * completed with the item id and label of the bad value.
 *
 * Optional endpoints: `GET {url}/health` (one attempt; a 404 is an answer, not a
 * throw) and `POST {url}/train` (same retries as /predict: a server whose /train is
 * not idempotent should answer 4xx to a duplicate).
 */
import { z } from 'zod';
import type { Probabilities } from '../../../core/labels.js';
import { ModelOutputError, ModelUnavailableError } from '../../../core/errors.js';
import { parseOrThrow } from '../../../core/validation.js';
import { batchRows, checkModelOutput, type ModelAdapter, type ModelBatch, type PredictContext } from '../adapter.js';
import { HttpTransport, type HttpAnswer, type Sleep } from './http-transport.js';
import { quorumPredictBody, quorumProbabilities, type QuorumItem } from './http-quorum.js';
import { labelStudioPredictBody, labelStudioProbabilities, labelStudioSettingsSchema } from './label-studio.js';

export const HTTP_MODES = ['quorum', 'label-studio'] as const;

/** The server base URL: http(s), no credentials (they belong in headers), no query; trailing slashes dropped. */
const baseUrlSchema = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    const issue = (message: string): typeof z.NEVER => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return issue(`not a URL: "${raw}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return issue(`must be an http(s) URL, not ${url.protocol}`);
    if (url.username || url.password) return issue('must not carry credentials: send them in headers (e.g. Authorization)');
    if (url.search || url.hash) return issue('must not have a query or fragment: /predict, /health and /train are appended to it');
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  });

export const httpConfigSchema = z
  .strictObject({
    kind: z.literal('http'),
    url: baseUrlSchema,
    mode: z.enum(HTTP_MODES).default('quorum'),
    /** The column order Quorum stores, whatever order the server answers in. */
    labels: z
      .array(z.string().min(1))
      .min(1)
      .refine((ls) => new Set(ls).size === ls.length, { message: 'labels must be distinct' }),
    multiLabel: z.boolean().default(false),
    /** Items per request. */
    batchSize: z.number().int().min(1).max(10_000).default(256),
    /** Requests in flight at once, per predictProba call. */
    concurrency: z.number().int().min(1).max(64).default(4),
    /** Per attempt, including reading the answer. */
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /** Further attempts after the first, on network errors, timeouts, 429 and 5xx. */
    retries: z.number().int().min(0).max(10).default(3),
    /** Wait before retry n (0-based): backoffMs × 2^n plus up to 10 % jitter, at most 60 s; a Retry-After header wins. */
    backoffMs: z.number().int().min(0).max(60_000).default(250),
    headers: z.record(z.string(), z.string()).optional(),
    labelStudio: labelStudioSettingsSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.labelStudio && c.mode !== 'label-studio') {
      ctx.addIssue({ code: 'custom', path: ['labelStudio'], message: "only allowed with mode 'label-studio'" });
    }
  });

export type HttpConfig = z.output<typeof httpConfigSchema>;
export type HttpConfigInput = z.input<typeof httpConfigSchema>;

/** Parse an `http` config; throws a ValidationError naming each bad field. */
export function parseHttpConfig(config: unknown): HttpConfig {
  return parseOrThrow(httpConfigSchema, config, 'http model config');
}

export interface HttpAdapterOptions {
  fetch?: typeof fetch;
  /** Waits between retries; tests inject one to record them. */
  sleep?: Sleep;
}

export interface HttpHealth {
  /** The server answered 2xx. */
  ok: boolean;
  status?: number;
  /** Parsed JSON, else the text; absent when empty. */
  body?: unknown;
  /** Why no answer came (network error, timeout). */
  error?: string;
}

export interface HttpModelAdapter extends ModelAdapter {
  readonly kind: 'http';
  health(ctx?: PredictContext): Promise<HttpHealth>;
  /** `POST {url}/train` with the payload as JSON; resolves with the answer (parsed JSON, else text; null when empty). */
  train(payload: unknown, ctx?: PredictContext): Promise<unknown>;
}

interface PredictProtocol {
  body(items: readonly QuorumItem[]): unknown;
  /** rows × labels in config order, before the shared range / row-sum check. */
  probabilities(answer: unknown, ids: readonly string[]): Float32Array;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelOutputError(`${source}: answer is not JSON (${(e as Error).message}): ${JSON.stringify(text.slice(0, 100))}`);
  }
}

/** Optional endpoints answer whatever they like: JSON when it parses, else the text. */
function bodyOf(answer: HttpAnswer): unknown {
  if (answer.text === '') return undefined;
  try {
    return JSON.parse(answer.text);
  } catch {
    return answer.text;
  }
}

/** The shared check, naming the item and label of the bad value rather than only its row. */
function checkChunk(data: Float32Array, ids: readonly string[], labels: readonly string[], multiLabel: boolean, source: string): void {
  try {
    checkModelOutput({ rows: ids.length, labels: labels.length, data }, ids.length, labels.length, multiLabel, source);
  } catch (e) {
    if (!(e instanceof ModelOutputError)) throw e;
    const at = /\[(\d+)\](?:\[(\d+)\])?/.exec(e.details[0]?.field ?? '');
    if (!at) throw e;
    const id = ids[Number(at[1])];
    const label = at[2] === undefined ? undefined : labels[Number(at[2])];
    throw new ModelOutputError(`${e.message} (item "${id}"${label === undefined ? '' : `, label "${label}"`})`, e.details);
  }
}

/** Aborts `target` when any source aborts; returns the unlink. */
function linkAbort(target: AbortController, sources: readonly (AbortSignal | undefined)[]): () => void {
  const unlinks = sources.map((s) => {
    if (!s) return () => {};
    if (s.aborted) target.abort(s.reason);
    const onAbort = (): void => target.abort(s.reason);
    s.addEventListener('abort', onAbort, { once: true });
    return () => s.removeEventListener('abort', onAbort);
  });
  return () => unlinks.forEach((u) => u());
}

export function createHttpAdapter(input: HttpConfigInput, opts: HttpAdapterOptions = {}): HttpModelAdapter {
  const config = parseHttpConfig(input);
  const labels: readonly string[] = Object.freeze([...config.labels]);
  const { multiLabel, batchSize, concurrency } = config;
  const transport = new HttpTransport({
    baseUrl: config.url,
    headers: config.headers ?? {},
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    backoffMs: config.backoffMs,
    fetch: opts.fetch ?? globalThis.fetch,
    sleep: opts.sleep,
  });
  const { source } = transport;
  const labelStudio = labelStudioSettingsSchema.parse(config.labelStudio ?? {});
  const protocol: PredictProtocol =
    config.mode === 'quorum'
      ? { body: quorumPredictBody, probabilities: (answer, ids) => quorumProbabilities(answer, ids, labels, source) }
      : {
          body: (items) => labelStudioPredictBody(items, labels, multiLabel, labelStudio),
          probabilities: (answer, ids) => labelStudioProbabilities(answer, ids, labels, multiLabel, labelStudio.fromName, source),
        };
  // aborted by dispose(): in-flight requests stop, later calls reject
  const lifetime = new AbortController();

  /** A signal aborted by the caller's signal or by dispose(); the call first rejects if either already happened. */
  async function withSignal<T>(ctx: PredictContext | undefined, run: (signal: AbortSignal, call: AbortController) => Promise<T>): Promise<T> {
    lifetime.signal.throwIfAborted();
    ctx?.signal?.throwIfAborted();
    const call = new AbortController();
    const unlink = linkAbort(call, [ctx?.signal, lifetime.signal]);
    try {
      return await run(call.signal, call);
    } finally {
      unlink();
    }
  }

  /** Both protocols take these; Label Studio ignores the features. */
  function outgoingItems(batch: ModelBatch, from: number, to: number): QuorumItem[] {
    const dim = batch.featureDim ?? 0;
    const items: QuorumItem[] = [];
    for (let r = from; r < to; r++) {
      const features = batch.features ? Array.from(batch.features.subarray(r * dim, (r + 1) * dim)) : null;
      items.push({ id: batch.ids[r]!, text: batch.texts[r] ?? null, features, meta: batch.metas[r] ?? null });
    }
    return items;
  }

  async function predictProba(batch: ModelBatch, ctx?: PredictContext): Promise<Probabilities> {
    return withSignal(ctx, async (signal, call) => {
      const rows = batchRows(batch);
      const width = labels.length;
      const data = new Float32Array(rows * width);
      const chunks = Math.ceil(rows / batchSize);
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let c = next++; c < chunks; c = next++) {
          signal.throwIfAborted();
          const from = c * batchSize;
          const to = Math.min(rows, from + batchSize);
          const ids = batch.ids.slice(from, to);
          try {
            // built per request: features as JSON numbers take several times the batch's memory
            const body = protocol.body(outgoingItems(batch, from, to));
            const answer = await transport.send('POST', '/predict', body, signal);
            const chunk = protocol.probabilities(parseJson(answer.text, source), ids);
            checkChunk(chunk, ids, labels, multiLabel, source);
            data.set(chunk, from * width);
          } catch (e) {
            // the first failure decides: the sibling requests stop instead of retrying on
            call.abort(e);
            throw e;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, chunks) }, worker));
      return { rows, labels: width, data };
    });
  }

  return {
    kind: 'http',
    labels,
    multiLabel,
    capabilities: { trainable: false, runsInWorker: false, maxBatchSize: Number.MAX_SAFE_INTEGER, input: 'text' },
    predictProba,
    health: (ctx) =>
      withSignal(ctx, async (signal) => {
        const outcome = await transport.sendOnce('GET', '/health', undefined, signal);
        if (!outcome.ok) return { ok: false, error: outcome.reason };
        const { status } = outcome.answer;
        const body = bodyOf(outcome.answer);
        return { ok: status >= 200 && status < 300, status, ...(body === undefined ? {} : { body }) };
      }),
    train: (payload, ctx) =>
      withSignal(ctx, async (signal) => {
        const answer = await transport.send('POST', '/train', payload, signal);
        return bodyOf(answer) ?? null;
      }),
    async dispose() {
      if (!lifetime.signal.aborted) lifetime.abort(new ModelUnavailableError(`${source}: the adapter is disposed`));
    },
  };
}
