/**
 * Per-kind factories for the model adapter contract suite (model-adapters.test.ts):
 * seeded synthetic items, tiny trained built-in models, an in-memory ONNX linear
 * model, and a real node:http model server on 127.0.0.1 speaking both the Quorum
 * contract and the Label Studio ML backend protocol.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelOutputError } from '../../src/core/errors.js';
import { createRng, stableRandom } from '../../src/core/random.js';
import type { AdapterKind, ModelBatch, ModelInputKind } from '../../src/modules/models/adapter.js';
import { trainBuiltin } from '../../src/modules/models/adapters/builtin.js';
import type { VersionSpec } from '../../src/modules/models/version-spec.repo.js';
import { buildLinearSoftmaxOnnx } from '../fixtures/onnx/build-onnx.js';

export const LABELS: readonly string[] = ['alpha', 'beta', 'gamma'];
export const FEATURE_DIM = 8;

/** What createAdapter receives. */
export type AdapterSpec = Omit<VersionSpec, 'id' | 'input'>;

/** Set once the contract server listens (before any spec is built). */
export interface CaseEnv {
  httpBaseUrl: string;
}

/** A variant of a kind that answers something unusable, and how its rejection looks. */
export interface GarbageCase {
  what: string;
  spec(env: CaseEnv): Promise<AdapterSpec>;
  /** The error class the rejection must be an instance of. */
  error: abstract new (...args: never[]) => Error;
  message: RegExp;
}

export interface AdapterCase {
  name: string;
  kind: AdapterKind;
  /** What the adapter must declare as capabilities.input. */
  input: ModelInputKind;
  trainable: boolean;
  spec(env: CaseEnv): Promise<AdapterSpec>;
  /**
   * Items lacking the input the model reads (features null for a feature model,
   * texts null for a text model): 'rejects' with a ValidationError, or 'answers'
   * valid rows because the kind does not actually need it.
   */
  withoutInput: 'rejects' | 'answers';
  garbage: GarbageCase[];
}

// ---------------------------------------------------------------------------
// Synthetic items

/** Words of each class; texts mix them with filler so that a text model can learn something. */
const VOCAB: readonly (readonly string[])[] = [
  ['prize', 'winner', 'free', 'cash', 'offer', 'claim'],
  ['meeting', 'agenda', 'minutes', 'schedule', 'room', 'notes'],
  ['recipe', 'garlic', 'oven', 'butter', 'simmer', 'bake'],
];
const FILLER = ['the', 'a', 'today', 'please', 'note', 'and', 'with', 'for'];

export interface Items {
  ids: string[];
  texts: string[];
  /** rows × FEATURE_DIM: a Gaussian blob per class, 3 sd apart along the class's own axis. */
  features: Float32Array;
  classes: Int32Array;
}

export function syntheticItems(n: number, seed: number, prefix: string): Items {
  const rng = createRng(seed);
  const ids: string[] = [];
  const texts: string[] = [];
  const features = new Float32Array(n * FEATURE_DIM);
  const classes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(LABELS.length);
    classes[i] = c;
    ids.push(`${prefix}-${i}`);
    for (let j = 0; j < FEATURE_DIM; j++) features[i * FEATURE_DIM + j] = rng.normal() + (j === c ? 3 : 0);
    const words: string[] = [];
    const length = 4 + rng.int(6);
    for (let w = 0; w < length; w++) {
      const u = rng.next();
      const pool = u < 0.55 ? VOCAB[c]! : u < 0.7 ? VOCAB[rng.int(VOCAB.length)]! : FILLER;
      words.push(pool[rng.int(pool.length)]!);
    }
    texts.push(words.join(' '));
  }
  return { ids, texts, features, classes };
}

/** The items as a model batch: every row carries text, features and meta. */
export function batchOf(items: Items): ModelBatch {
  return {
    ids: items.ids,
    texts: items.texts,
    features: items.features,
    featureDim: FEATURE_DIM,
    metas: items.ids.map((id, r) => ({ source: 'contract', row: r, tag: id.length % 2 === 0 ? 'even' : 'odd' })),
  };
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

// ---------------------------------------------------------------------------
// Built-in models: trained once per file on 60 rows × 8 features, 3 labels, 20 epochs

const TRAIN = syntheticItems(60, 11, 'train');

const featureArtifact = (kind: 'softmax' | 'mlp') =>
  once(async () => {
    const out = await trainBuiltin({
      labels: LABELS,
      features: TRAIN.features,
      targets: TRAIN.classes,
      params: kind === 'mlp' ? { kind, seed: 7, epochs: 20, batchSize: 16, hidden: [16], learningRate: 0.01 } : { kind, seed: 7, epochs: 20, batchSize: 16 },
    });
    return out.artifact;
  });

const textArtifact = once(async () => {
  const out = await trainBuiltin({
    labels: LABELS,
    texts: TRAIN.texts,
    targets: TRAIN.classes,
    params: { kind: 'softmax', seed: 7, epochs: 20, batchSize: 16 },
    featurizer: { dimension: 1024, wordNgrams: { min: 1, max: 1 } },
  });
  return out.artifact;
});

const softmaxFeatures = featureArtifact('softmax');
const mlpFeatures = featureArtifact('mlp');

function builtinSpec(kind: 'softmax' | 'mlp', artifact: Uint8Array): AdapterSpec {
  return { kind, labels: [...LABELS], multiLabel: false, config: {}, artifact };
}

// ---------------------------------------------------------------------------
// ONNX: softmax(x·W + b) built in memory

function onnxWeights(): { weights: Float32Array; bias: Float32Array } {
  const rng = createRng(5);
  const k = LABELS.length;
  const weights = Float32Array.from({ length: FEATURE_DIM * k }, (_, at) => (Math.floor(at / k) === at % k ? 1.5 : 0) + 0.3 * rng.normal());
  const bias = Float32Array.from({ length: k }, () => 0.2 * rng.normal());
  return { weights, bias };
}

function onnxSpec(softmax: boolean): AdapterSpec {
  return {
    kind: 'onnx',
    labels: [...LABELS],
    multiLabel: false,
    config: { kind: 'onnx', labels: [...LABELS] },
    artifact: buildLinearSoftmaxOnnx({ ...onnxWeights(), softmax }),
  };
}

// ---------------------------------------------------------------------------
// The model server

/**
 * The server's deterministic model: class-word counts of the text (the id when there
 * is no text) plus a hashed jitter, softmaxed, in LABELS order.
 */
export function serverProbabilities(text: string | null, id: string): number[] {
  const words = (text ?? '').split(/\s+/);
  const logits = LABELS.map((_, j) => words.filter((w) => VOCAB[j]!.includes(w)).length + stableRandom(`${text ?? id}\u0000${j}`, 3));
  const max = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** The Quorum-mode server answers its labels in this order: the adapter must permute them. */
const ANSWER_ORDER = [2, 0, 1];

interface QuorumRequestItem {
  id: string;
  text: string | null;
}

/** Routes: /{variant}/predict, where the variant picks a protocol and how (badly) to answer. */
function predictAnswer(variant: string, body: any): string | null {
  if (variant === 'label-studio') {
    const tasks = body.tasks as { id: string; data: { text: string } }[];
    return JSON.stringify({
      results: tasks.map((t) => {
        const p = serverProbabilities(t.data.text, t.id);
        const j = p.indexOf(Math.max(...p));
        return {
          model_version: 'contract-1',
          result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: [LABELS[j]] }, score: p[j] }],
        };
      }),
    });
  }
  const items = body.items as QuorumRequestItem[];
  const rows = items.map((it) => {
    const p = serverProbabilities(it.text, it.id);
    return ANSWER_ORDER.map((j) => p[j]!);
  });
  const labels = ANSWER_ORDER.map((j) => LABELS[j]);
  switch (variant) {
    case 'quorum':
      return JSON.stringify({ labels, probabilities: rows });
    case 'half-sum': {
      // one row of each request sums to 0.5
      const bad = rows.length > 1 ? 1 : 0;
      rows[bad] = rows[bad]!.map((v) => v / 2);
      return JSON.stringify({ labels, probabilities: rows });
    }
    case 'nan':
      // what Python's json.dumps writes for float('nan')
      return JSON.stringify({ labels, probabilities: rows.map((row, r) => (r === 0 ? ['__NaN__', ...row.slice(1)] : row)) }).replace('"__NaN__"', 'NaN');
    case 'infinite':
      // JSON.parse reads 1e999 as Infinity: a number, but not a probability
      return JSON.stringify({ labels, probabilities: rows.map((row, r) => (r === 0 ? ['__INF__', ...row.slice(1)] : row)) }).replace('"__INF__"', '1e999');
    default:
      return null;
  }
}

export interface ContractServer {
  baseUrl: string;
  /** POST /predict requests received per variant. */
  requests: Map<string, number>;
  close(): Promise<void>;
}

export async function startContractServer(): Promise<ContractServer> {
  const requests = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/([a-z-]+)\/predict$/.exec(req.url ?? '');
      let answer: string | null = null;
      if (req.method === 'POST' && m) {
        requests.set(m[1]!, (requests.get(m[1]!) ?? 0) + 1);
        answer = predictAnswer(m[1]!, JSON.parse(Buffer.concat(chunks).toString('utf8')));
      }
      res.writeHead(answer === null ? 404 : 200, { 'content-type': 'application/json' });
      res.end(answer ?? '{"error":"not found"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

function httpSpec(env: CaseEnv, variant: string, extra: Record<string, unknown> = {}): AdapterSpec {
  return {
    kind: 'http',
    labels: [...LABELS],
    multiLabel: false,
    // small requests with several in flight, so row order cannot come from one answer
    config: { kind: 'http', url: `${env.httpBaseUrl}/${variant}`, labels: [...LABELS], batchSize: 8, concurrency: 3, timeoutMs: 5000, retries: 0, ...extra },
    artifact: null,
  };
}

// ---------------------------------------------------------------------------
// The cases

const fakeSpec = (config: Record<string, unknown> = {}): AdapterSpec => ({
  kind: 'fake',
  labels: [...LABELS],
  multiLabel: false,
  config: { kind: 'fake', seed: 42, ...config },
  artifact: null,
});

export const ADAPTER_CASES: AdapterCase[] = [
  {
    name: 'softmax on features',
    kind: 'softmax',
    input: 'features',
    trainable: true,
    spec: async () => builtinSpec('softmax', await softmaxFeatures()),
    withoutInput: 'rejects',
    garbage: [],
  },
  {
    name: 'mlp on features',
    kind: 'mlp',
    input: 'features',
    trainable: true,
    spec: async () => builtinSpec('mlp', await mlpFeatures()),
    withoutInput: 'rejects',
    garbage: [],
  },
  {
    name: 'softmax on text',
    kind: 'softmax',
    input: 'text',
    trainable: true,
    spec: async () => builtinSpec('softmax', await textArtifact()),
    withoutInput: 'rejects',
    garbage: [],
  },
  {
    name: 'onnx linear model on features',
    kind: 'onnx',
    input: 'features',
    trainable: false,
    spec: async () => onnxSpec(true),
    withoutInput: 'rejects',
    garbage: [{ what: 'logits declared as probabilities', spec: async () => onnxSpec(false), error: ModelOutputError, message: /^onnx model: probabilities row 0, column \d is negative/ }],
  },
  {
    name: 'http, quorum mode',
    kind: 'http',
    input: 'text',
    trainable: false,
    spec: async (env) => httpSpec(env, 'quorum'),
    // our contract sends text: null and lets the server decide
    withoutInput: 'answers',
    garbage: [
      { what: 'a row summing to 0.5', spec: async (env) => httpSpec(env, 'half-sum'), error: ModelOutputError, message: /sums to 0\.5, not 1 ± 1e-3 \(item "/ },
      { what: 'a bare NaN in the JSON', spec: async (env) => httpSpec(env, 'nan'), error: ModelOutputError, message: /answer is not JSON/ },
      { what: 'an infinite value', spec: async (env) => httpSpec(env, 'infinite'), error: ModelOutputError, message: /is Infinity, above 1 \(item "doc-0", label "gamma"\)/ },
    ],
  },
  {
    name: 'http, label-studio mode',
    kind: 'http',
    input: 'text',
    trainable: false,
    spec: async (env) => httpSpec(env, 'label-studio', { mode: 'label-studio' }),
    withoutInput: 'rejects',
    garbage: [],
  },
  {
    name: 'fake',
    kind: 'fake',
    input: 'text',
    trainable: false,
    spec: async () => fakeSpec(),
    // declares input 'text' but its answers depend only on (seed, id)
    withoutInput: 'answers',
    garbage: [{ what: 'failOn an item of the batch', spec: async () => fakeSpec({ failOn: 'doc-5' }), error: ModelOutputError, message: /fake model told to fail on item doc-5/ }],
  },
];
