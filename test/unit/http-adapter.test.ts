/**
 * The `http` model adapter against a real HTTP server on 127.0.0.1: each test sets
 * how the server answers and reads back what it received.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ModelOutputError, ModelUnavailableError, ValidationError } from '../../src/core/errors.js';
import type { ModelBatch } from '../../src/modules/models/adapter.js';
import { createHttpAdapter, parseHttpConfig, type HttpConfigInput, type HttpModelAdapter } from '../../src/modules/models/adapters/http.js';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as JSON, unless a string (sent verbatim). */
  body?: unknown;
  delayMs?: number;
}

let server: Server;
let baseUrl: string;
let received: Received[] = [];
let inFlight = 0;
let maxInFlight = 0;
let answer: (req: Received, attempt: number) => Reply = () => ({ status: 404 });

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined };
      received.push(r);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let done = false;
      const finish = (): void => {
        if (!done) inFlight--;
        done = true;
      };
      // counted as done before the answer leaves, so the client's next request cannot overlap it
      res.on('close', finish);
      const reply = answer(r, received.length);
      setTimeout(() => {
        finish();
        if (res.destroyed) return;
        const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(body);
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  received = [];
  inFlight = 0;
  maxInFlight = 0;
  answer = () => ({ status: 404 });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Items i0…i(n-1); item r has the single feature r / n and text `text r`. */
function makeBatch(n: number): ModelBatch {
  return {
    ids: Array.from({ length: n }, (_, r) => `i${r}`),
    texts: Array.from({ length: n }, (_, r) => `text ${r}`),
    features: Float32Array.from({ length: n }, (_, r) => r / n),
    featureDim: 1,
    metas: Array.from({ length: n }, (_, r) => ({ source: 'test', n: r })),
  };
}

function rowsOf(data: Float32Array, width: number): number[][] {
  return Array.from({ length: data.length / width }, (_, r) => Array.from(data.subarray(r * width, (r + 1) * width)));
}

/** A quorum-contract server: labels [spam, ham], P(ham) = the item's feature. */
function quorumAnswer(req: Received): Reply {
  const items = req.body.items as { features: number[] }[];
  return { body: { labels: ['spam', 'ham'], probabilities: items.map((it) => [1 - it.features[0]!, it.features[0]!]) } };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const waits: number[] = [];
const recordSleep = async (ms: number): Promise<void> => {
  waits.push(ms);
};
afterEach(() => {
  waits.length = 0;
});

function adapter(config: Partial<HttpConfigInput> = {}): HttpModelAdapter {
  return createHttpAdapter({ kind: 'http', url: `${baseUrl}/`, labels: ['ham', 'spam'], ...config }, { sleep: recordSleep });
}

describe('quorum contract', () => {
  it('sends id/text/features/meta with the configured headers and permutes the answered columns into config order', async () => {
    answer = quorumAnswer;
    const model = adapter({ labels: ['ham', 'spam', 'other'], headers: { authorization: 'Bearer t0ken' } });
    const p = await model.predictProba(makeBatch(4));

    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/predict');
    expect(req!.headers.authorization).toBe('Bearer t0ken');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.body.items[1]).toEqual({ id: 'i1', text: 'text 1', features: [0.25], meta: { source: 'test', n: 1 } });
    expect(p.rows).toBe(4);
    expect(p.labels).toBe(3);
    // the unanswered label 'other' gets 0
    rowsOf(p.data, 3).forEach((row, r) => {
      expect(row[0]).toBeCloseTo(r / 4, 6);
      expect(row[1]).toBeCloseTo(1 - r / 4, 6);
      expect(row[2]).toBe(0);
    });
    expect(model.kind).toBe('http');
    expect(model.capabilities).toMatchObject({ trainable: false, runsInWorker: false, input: 'text' });
  });

  it('sends features null when the batch has none, and answers an empty batch without a request', async () => {
    answer = (req) => ({ body: { labels: ['ham', 'spam'], probabilities: req.body.items.map(() => [0.5, 0.5]) } });
    const model = adapter();
    const batch: ModelBatch = { ids: ['a'], texts: ['x'], features: null, featureDim: null, metas: [null] };
    await model.predictProba(batch);
    expect(received[0]!.body.items).toEqual([{ id: 'a', text: 'x', features: null, meta: null }]);

    const empty = await model.predictProba({ ids: [], texts: [], features: null, featureDim: null, metas: [] });
    expect(empty).toMatchObject({ rows: 0, labels: 2 });
    expect(received).toHaveLength(1);
  });

  it('splits a batch into batchSize requests, at most `concurrency` in flight, rows in batch order', async () => {
    // later chunks answer first, so order cannot come from completion order
    answer = (req) => ({ ...quorumAnswer(req), delayMs: 60 - Math.round(req.body.items[0].features[0] * 50) });
    const model = adapter({ batchSize: 3, concurrency: 2 });
    const n = 20;
    const p = await model.predictProba(makeBatch(n));

    expect(received.map((r) => r.body.items.length).sort()).toEqual([2, 3, 3, 3, 3, 3, 3]);
    expect(maxInFlight).toBe(2);
    rowsOf(p.data, 2).forEach((row, r) => expect(row[0]).toBeCloseTo(r / n, 6));
  });

  it('uses every allowed slot but no more with a higher concurrency', async () => {
    answer = (req) => ({ ...quorumAnswer(req), delayMs: 40 });
    await adapter({ batchSize: 1, concurrency: 5 }).predictProba(makeBatch(12));
    expect(received).toHaveLength(12);
    expect(maxInFlight).toBe(5);
  });
});

describe('transport', () => {
  it('retries a 503 with exponential backoff, then succeeds', async () => {
    answer = (req, n) => (n <= 2 ? { status: 503, body: 'busy' } : quorumAnswer(req));
    const p = await adapter({ backoffMs: 100 }).predictProba(makeBatch(2));
    expect(received).toHaveLength(3);
    expect(p.rows).toBe(2);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(100);
    expect(waits[0]).toBeLessThanOrEqual(110);
    expect(waits[1]).toBeGreaterThanOrEqual(200);
    expect(waits[1]).toBeLessThanOrEqual(220);
  });

  it('honours Retry-After (seconds, capped at 60 s) on 429 and 503', async () => {
    answer = (req, n) =>
      n === 1
        ? { status: 429, headers: { 'retry-after': '2' } }
        : n === 2
          ? { status: 503, headers: { 'retry-after': '600' } }
          : quorumAnswer(req);
    await adapter({ backoffMs: 1 }).predictProba(makeBatch(1));
    expect(waits).toEqual([2000, 60_000]);
  });

  it('gives up with ModelUnavailableError after retries on 5xx', async () => {
    answer = () => ({ status: 500, body: 'boom' });
    const err = await adapter({ retries: 2 }).predictProba(makeBatch(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect((err as Error).message).toBe(`http model ${baseUrl}: POST /predict answered HTTP 500 after 3 attempts`);
    expect(received).toHaveLength(3);
  });

  it('times out each attempt, retries, then fails with ModelUnavailableError', async () => {
    answer = (req) => ({ ...quorumAnswer(req), delayMs: 2000 });
    const started = Date.now();
    const err = await adapter({ timeoutMs: 100, retries: 2 }).predictProba(makeBatch(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect((err as Error).message).toMatch(/POST \/predict timed out after 100 ms after 3 attempts$/);
    expect(received).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('does not retry a 400, and reports its status and the start of its body', async () => {
    answer = () => ({ status: 400, body: `bad input ${'x'.repeat(500)}` });
    const err = await adapter().predictProba(makeBatch(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect((err as Error).message).toContain('answered HTTP 400: bad input xxx');
    expect((err as Error).message.length).toBeLessThan(300);
    expect(received).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('retries connection failures and names the cause', async () => {
    const model = createHttpAdapter({ kind: 'http', url: `http://127.0.0.1:${await closedPort()}`, labels: ['a', 'b'], retries: 1 }, { sleep: recordSleep });
    await expect(model.predictProba(makeBatch(1))).rejects.toThrow(/ECONNREFUSED.*after 2 attempts/);
    expect(waits).toHaveLength(1);
  });

  it('stops promptly when the signal aborts: no further requests, rejects with the reason', async () => {
    answer = (req) => ({ ...quorumAnswer(req), delayMs: 100 });
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const pending = adapter({ batchSize: 1, concurrency: 1 }).predictProba(makeBatch(10), { signal: controller.signal });
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = Date.now();
      controller.abort(reason);
    }, 150);
    await expect(pending).rejects.toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(50);
    const sent = received.length;
    expect(sent).toBe(2);
    await new Promise((r) => setTimeout(r, 250));
    expect(received).toHaveLength(sent);
  });

  it('stops promptly when the signal aborts during a backoff wait', async () => {
    answer = () => ({ status: 503 });
    const controller = new AbortController();
    const model = createHttpAdapter({ kind: 'http', url: baseUrl, labels: ['a', 'b'], backoffMs: 30_000 });
    const pending = model.predictProba(makeBatch(1), { signal: controller.signal });
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = Date.now();
      controller.abort(new Error('stop'));
    }, 100);
    await expect(pending).rejects.toThrow('stop');
    expect(Date.now() - abortedAt).toBeLessThan(50);
    expect(received).toHaveLength(1);
  });

  it('rejects at once with an already aborted signal', async () => {
    answer = quorumAnswer;
    await expect(adapter().predictProba(makeBatch(1), { signal: AbortSignal.abort(new Error('early')) })).rejects.toThrow('early');
    expect(received).toHaveLength(0);
  });
});

describe('malformed answers: ModelOutputError naming the problem, no retry', () => {
  const cases: [string, (req: Received) => Reply, RegExp][] = [
    ['wrong row count', () => ({ body: { labels: ['ham', 'spam'], probabilities: [[0.5, 0.5]] } }), /answered 1 probability rows for 2 items/],
    ['"NaN" as a string', () => ({ body: { labels: ['ham', 'spam'], probabilities: [[0.5, 0.5], ['NaN', 0.5]] } }), /row 1 \(item "i1"\), label "ham" is "NaN", not a number/],
    ['null value', () => ({ body: { labels: ['ham', 'spam'], probabilities: [[null, 0.5], [0.5, 0.5]] } }), /row 0 \(item "i0"\), label "ham" is null, not a number/],
    ['row not summing to 1', () => ({ body: { labels: ['ham', 'spam'], probabilities: [[0.5, 0.5], [0.5, 0.2]] } }), /row 1 sums to 0\.7, not 1 ± 1e-3 \(item "i1"\)/],
    ['value above 1', () => ({ body: { labels: ['ham', 'spam'], probabilities: [[0.5, 0.5], [1.5, -0.5]] } }), /item "i1", label "(ham|spam)"/],
    ['unknown label', () => ({ body: { labels: ['ham', 'eggs'], probabilities: [[0.5, 0.5], [0.5, 0.5]] } }), /unknown label "eggs"/],
    ['a short row', () => ({ body: { labels: ['ham', 'spam'], probabilities: [[0.5, 0.5], [1]] } }), /row 1 \(item "i1"\) has 1 values, expected 2/],
    ['no labels', () => ({ body: { probabilities: [] } }), /lacks "labels"/],
    ['no probabilities', () => ({ body: { labels: ['ham'] } }), /lacks "probabilities"/],
    ['non-JSON', () => ({ body: '<html>oops</html>' }), /answer is not JSON .*<html>oops/],
  ];
  it.each(cases)('%s', async (_, reply, message) => {
    answer = reply;
    const err = await adapter().predictProba(makeBatch(2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelOutputError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(`http model ${baseUrl}`);
    expect(received).toHaveLength(1);
  });

  it('multi-label rows need not sum to 1', async () => {
    answer = () => ({ body: { labels: ['spam', 'ham'], probabilities: [[0.9, 0.8]] } });
    const p = await adapter({ multiLabel: true }).predictProba(makeBatch(1));
    expect(Array.from(p.data)).toEqual([Math.fround(0.8), Math.fround(0.9)]);
  });
});

describe('label-studio mode', () => {
  const labels = ['ham', 'spam', 'other'];
  const lsAdapter = (config: Partial<HttpConfigInput> = {}) => adapter({ mode: 'label-studio', labels, ...config });
  const choice = (c: string, score?: number, fromName = 'label') => ({
    from_name: fromName,
    to_name: 'text',
    type: 'choices',
    value: { choices: [c] },
    ...(score === undefined ? {} : { score }),
  });

  it('sends tasks, project, a generated label_config and params', async () => {
    answer = (req) => ({ body: { results: req.body.tasks.map(() => ({ result: [choice('ham')] })) } });
    const batch = makeBatch(2);
    await lsAdapter().predictProba({ ...batch, metas: [{ lang: 'en', text: 'meta text' }, null] });
    expect(received[0]!.body).toEqual({
      tasks: [
        { id: 'i0', data: { lang: 'en', text: 'text 0' } },
        { id: 'i1', data: { text: 'text 1' } },
      ],
      project: '',
      label_config:
        '<View><Text name="text" value="$text"/><Choices name="label" toName="text">' +
        '<Choice value="ham"/><Choice value="spam"/><Choice value="other"/></Choices></View>',
      params: {},
    });
  });

  it('uses the configured names, project and label config', async () => {
    answer = (req) => ({ body: { results: req.body.tasks.map(() => ({ result: [choice('ham', 1, 'verdict')] })) } });
    await lsAdapter({ labelStudio: { fromName: 'verdict', toName: 'mail', dataKey: 'body', project: '7' } }).predictProba(makeBatch(1));
    const body = received[0]!.body;
    expect(body.tasks[0].data.body).toBe('text 0');
    expect(body.project).toBe('7');
    expect(body.label_config).toContain('<Text name="mail" value="$body"/><Choices name="verdict" toName="mail">');

    received = [];
    await lsAdapter({ labelStudio: { labelConfig: '<View/>' } }).predictProba(makeBatch(1)).catch(() => undefined);
    expect(received[0]!.body.label_config).toBe('<View/>');
  });

  it('maps the chosen label and its score to a row: the rest spread evenly', async () => {
    answer = () => ({
      body: {
        results: [
          { result: [choice('spam', 0.8)], score: 0.3, model_version: 'v1' },
          { result: [choice('other')], score: 0.6 },
          { result: [choice('ham')] },
          { result: [choice('ham', 1.7)] },
        ],
      },
    });
    const p = await lsAdapter().predictProba(makeBatch(4));
    const rows = rowsOf(p.data, 3);
    [
      [0.1, 0.8, 0.1],
      [0.2, 0.2, 0.6],
      [1, 0, 0],
      [1, 0, 0],
    ].forEach((expected, r) => expected.forEach((v, j) => expect(rows[r]![j]).toBeCloseTo(v, 6)));
  });

  it('accepts the bare array of older backends and ignores results from other tags', async () => {
    answer = () => ({ body: [{ result: [choice('ham', 0.9, 'sentiment'), choice('spam', 0.5), { type: 'textarea', value: { text: ['x'] } }] }] });
    const p = await lsAdapter().predictProba(makeBatch(1));
    expect(Array.from(p.data)).toEqual([0.25, 0.5, 0.25]);
  });

  it('multi-label: every chosen label gets its score, the others 0', async () => {
    answer = () => ({ body: { results: [{ result: [{ type: 'choices', value: { choices: ['ham', 'other'] }, score: 0.7 }] }] } });
    const p = await lsAdapter({ multiLabel: true }).predictProba(makeBatch(1));
    expect(Array.from(p.data)).toEqual([Math.fround(0.7), 0, Math.fround(0.7)]);
    expect(received[0]!.body.label_config).toContain('choice="multiple"');
  });

  const invalid: [string, unknown, RegExp][] = [
    ['a missing prediction', { results: [{ result: [choice('ham')] }, { result: [] }] }, /no prediction for item "i1"/],
    ['an unknown choice', { results: [{ result: [choice('ham')] }, { result: [choice('eggs')] }] }, /unknown choice "eggs" for item "i1"/],
    ['a wrong results count', { results: [{ result: [choice('ham')] }] }, /answered 1 predictions for 2 tasks/],
    ['two labels for a single-label model', { results: [{ result: [choice('ham')] }, { result: [choice('ham'), choice('spam')] }] }, /chose 2 labels for item "i1"/],
    ['a non-number score', { results: [{ result: [choice('ham')] }, { result: [choice('ham')], score: 'high' }] }, /score of item "i1" is "high"/],
    ['neither results nor an array', { predictions: [] }, /neither/],
  ];
  it.each(invalid)('rejects %s with ModelOutputError', async (_, body, message) => {
    answer = () => ({ body });
    const err = await lsAdapter().predictProba(makeBatch(2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelOutputError);
    expect((err as Error).message).toMatch(message);
  });

  it('refuses an item with no text before sending anything', async () => {
    const batch: ModelBatch = { ids: ['a'], texts: [null], features: null, featureDim: null, metas: [null] };
    await expect(lsAdapter().predictProba(batch)).rejects.toThrow(ValidationError);
    expect(received).toHaveLength(0);
  });
});

describe('health, train, dispose', () => {
  it('health: ok with the parsed body, a 404 is an answer, an unreachable server an error', async () => {
    answer = (req) => (req.path === '/health' ? { body: { status: 'UP' } } : { status: 404 });
    expect(await adapter().health()).toEqual({ ok: true, status: 200, body: { status: 'UP' } });
    expect(received[0]).toMatchObject({ method: 'GET', path: '/health' });

    answer = () => ({ status: 404, body: 'not found' });
    expect(await adapter().health()).toEqual({ ok: false, status: 404, body: 'not found' });

    const down = createHttpAdapter({ kind: 'http', url: `http://127.0.0.1:${await closedPort()}`, labels: ['a'] });
    const h = await down.health();
    expect(h.ok).toBe(false);
    expect(h.error).toMatch(/GET \/health failed: .*ECONNREFUSED/);
  });

  it('train: posts the payload with the same retries and resolves with the answer', async () => {
    answer = (_req, n) => (n === 1 ? { status: 502 } : { body: { job: 42 } });
    expect(await adapter().train({ epochs: 3 })).toEqual({ job: 42 });
    expect(received.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/train', { epochs: 3 }],
      ['POST', '/train', { epochs: 3 }],
    ]);
  });

  it('dispose: later calls reject, and in-flight requests stop', async () => {
    answer = (req) => ({ ...quorumAnswer(req), delayMs: 500 });
    const model = adapter();
    const pending = model.predictProba(makeBatch(1));
    setTimeout(() => void model.dispose(), 50);
    await expect(pending).rejects.toThrow(/disposed/);
    await expect(model.predictProba(makeBatch(1))).rejects.toThrow(ModelUnavailableError);
    await expect(model.health()).rejects.toThrow(/disposed/);
  });
});

describe('config', () => {
  it('normalises the URL and fills the defaults', () => {
    const c = parseHttpConfig({ kind: 'http', url: ' HTTP://Example.com:8080/ml/// ', labels: ['a', 'b'] });
    expect(c).toMatchObject({
      url: 'http://example.com:8080/ml',
      mode: 'quorum',
      multiLabel: false,
      batchSize: 256,
      concurrency: 4,
      timeoutMs: 30_000,
      retries: 3,
      backoffMs: 250,
    });
    expect(parseHttpConfig({ kind: 'http', url: 'https://x.org', labels: ['a'] }).url).toBe('https://x.org');
  });

  it.each([
    [{ url: 'ftp://x.org' }, /url: must be an http\(s\) URL/],
    [{ url: 'http://x.org/?key=1' }, /url: must not have a query/],
    [{ url: 'http://u:p@x.org' }, /url: must not carry credentials/],
    [{ url: 'nope' }, /url: not a URL/],
    [{ labels: ['a', 'a'] }, /labels: labels must be distinct/],
    [{ labels: [] }, /labels/],
    [{ concurrency: 0 }, /concurrency/],
    [{ timeoutMs: 50 }, /timeoutMs/],
    [{ labelStudio: { fromName: 'x' } }, /labelStudio: only allowed with mode 'label-studio'/],
    [{ extra: 1 }, /extra/],
  ])('rejects %j', (patch, message) => {
    expect(() => parseHttpConfig({ kind: 'http', url: 'http://x.org', labels: ['a', 'b'], ...patch })).toThrow(message);
    expect(() => createHttpAdapter({ kind: 'http', url: 'http://x.org', labels: ['a', 'b'], ...patch } as HttpConfigInput)).toThrow(ValidationError);
  });
});
