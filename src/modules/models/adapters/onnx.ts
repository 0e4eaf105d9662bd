/**
 * The `onnx` model adapter: a user-supplied ONNX classifier run in-process by
 * onnxruntime-node on the CPU execution provider. The model is opaque, so
 * everything Quorum relies on (input/output names, a 2-D float32 input, the
 * output width matching the declared labels) is checked when the session is
 * created, and again on every answer where the model leaves a dimension symbolic.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { z } from 'zod';
import type { Probabilities } from '../../../core/labels.js';
import { ModelOutputError, ModelUnavailableError, ValidationError } from '../../../core/errors.js';
import { batchRows, checkModelOutput, type ModelAdapter, type ModelBatch, type PredictContext } from '../adapter.js';
import { densify, featurize, featurizerConfigSchema, type FittedFeaturizer } from '../featurize/index.js';

const SOURCE = 'onnx model';
export const ONNX_MAX_BATCH_SIZE = 8192;

/** An ONNX model ships without a fitted idf vector, so only the unfitted weighting makes sense. */
const onnxFeaturizerSchema = featurizerConfigSchema.extend({
  weighting: z.literal('log-count', { error: "must be 'log-count': nothing is fitted for an ONNX model" }).default('log-count'),
});

export const onnxConfigSchema = z
  .strictObject({
    kind: z.literal('onnx'),
    /** Default: the model's first input. */
    inputName: z.string().min(1).optional(),
    /** Default: the model's first output. */
    outputName: z.string().min(1).optional(),
    /** The output columns, in order: declared at registration because an ONNX file carries no label names. */
    labels: z
      .array(z.string().min(1))
      .min(1)
      .refine((ls) => new Set(ls).size === ls.length, { message: 'labels must be distinct' }),
    input: z.enum(['features', 'text']).default('features'),
    /** Input 'text' only; its dimension must equal the model's input width. */
    featurizer: onnxFeaturizerSchema.optional(),
    /** 'logits': Quorum applies softmax per row (sigmoid per value when multiLabel). */
    outputs: z.enum(['probabilities', 'logits']).default('probabilities'),
    multiLabel: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (c.input === 'text' && !c.featurizer) {
      ctx.addIssue({ code: 'custom', path: ['featurizer'], message: "input 'text' needs a featurizer config (the model reads its hashed features)" });
    }
    if (c.input !== 'text' && c.featurizer) {
      ctx.addIssue({ code: 'custom', path: ['featurizer'], message: "only allowed with input 'text'" });
    }
  });

export type OnnxConfig = z.output<typeof onnxConfigSchema>;
export type OnnxConfigInput = z.input<typeof onnxConfigSchema>;

export interface OnnxAdapterOptions {
  /** onnxruntime intra-op threads; 1 by default because Piscina already runs one adapter per worker. */
  intraOpThreads?: number;
}

/** Parse an `onnx` config; throws {@link ValidationError} naming each bad field. */
export function parseOnnxConfig(config: unknown): OnnxConfig {
  const r = onnxConfigSchema.safeParse(config);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ field: i.path.join('.') || 'config', message: i.message }));
  throw new ValidationError(`invalid onnx config: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return (m.split('\n')[0] ?? '').slice(0, 300);
}

/** A declared dimension, or null when symbolic / unknown. */
function fixedDim(d: number | string | undefined): number | null {
  return typeof d === 'number' && d > 0 ? d : null;
}

function describeShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

/** What creation learned about the model's single input and chosen output. */
interface ModelShape {
  inputName: string;
  outputName: string;
  /** Rows per run when the model was exported with a fixed batch size; null when it is symbolic. */
  fixedBatch: number | null;
  /** Features per row when declared; null when symbolic. */
  inputWidth: number | null;
}

function pickName(kind: 'input' | 'output', wanted: string | undefined, available: readonly string[]): string {
  const name = wanted ?? available[0];
  if (name === undefined) throw new ValidationError(`${SOURCE} declares no ${kind}s`);
  if (!available.includes(name)) {
    throw new ValidationError(`${SOURCE} has no ${kind} named '${name}'; its ${kind}s: ${available.map((n) => `'${n}'`).join(', ')}`, [
      { field: `${kind}Name`, message: `not one of ${available.join(', ')}` },
    ]);
  }
  return name;
}

function inspectSession(session: InferenceSession, config: OnnxConfig): ModelShape {
  const inputName = pickName('input', config.inputName, session.inputNames);
  const outputName = pickName('output', config.outputName, session.outputNames);
  if (session.inputNames.length > 1) {
    throw new ValidationError(`${SOURCE} has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); Quorum feeds exactly one`);
  }
  const input = session.inputMetadata.find((m) => m.name === inputName);
  const output = session.outputMetadata.find((m) => m.name === outputName);
  if (!input?.isTensor || input.type !== 'float32') {
    throw new ValidationError(`${SOURCE}: input '${inputName}' must be a float32 tensor, not ${input?.isTensor ? input.type : 'a non-tensor'}`);
  }
  if (!output?.isTensor || (output.type !== 'float32' && output.type !== 'float64')) {
    throw new ValidationError(`${SOURCE}: output '${outputName}' must be a float32 or float64 tensor, not ${output?.isTensor ? output.type : 'a non-tensor'}`);
  }
  // An empty shape means the model does not declare one: left to the per-run checks.
  if (input.shape.length !== 0 && input.shape.length !== 2) {
    throw new ValidationError(`${SOURCE}: input '${inputName}' has shape ${describeShape(input.shape)}; Quorum feeds [rows, features]`);
  }
  if (output.shape.length !== 0 && output.shape.length !== 2) {
    throw new ValidationError(`${SOURCE}: output '${outputName}' has shape ${describeShape(output.shape)}, expected [rows, ${config.labels.length}]`);
  }
  const outputWidth = fixedDim(output.shape[1]);
  if (outputWidth !== null && outputWidth !== config.labels.length) {
    throw new ValidationError(
      `${SOURCE}: output '${outputName}' has ${outputWidth} columns but ${config.labels.length} labels were declared (${config.labels.join(', ')})`,
      [{ field: 'labels', message: `the model answers ${outputWidth} columns` }],
    );
  }
  const inputWidth = fixedDim(input.shape[1]);
  const dimension = config.featurizer?.dimension;
  if (dimension !== undefined && inputWidth !== null && dimension !== inputWidth) {
    throw new ValidationError(`${SOURCE}: featurizer.dimension is ${dimension} but input '${inputName}' takes ${inputWidth} features per row`, [
      { field: 'featurizer.dimension', message: `must equal the model's input width ${inputWidth}` },
    ]);
  }
  return { inputName, outputName, fixedBatch: fixedDim(input.shape[0]), inputWidth };
}

function softmaxRows(data: Float32Array, labels: number): void {
  for (let base = 0; base < data.length; base += labels) {
    let max = -Infinity;
    for (let j = 0; j < labels; j++) max = Math.max(max, data[base + j]!);
    let sum = 0;
    for (let j = 0; j < labels; j++) {
      const e = Math.exp(data[base + j]! - max);
      data[base + j] = e;
      sum += e;
    }
    for (let j = 0; j < labels; j++) data[base + j] = data[base + j]! / sum;
  }
}

function sigmoidAll(data: Float32Array): void {
  for (let i = 0; i < data.length; i++) data[i] = 1 / (1 + Math.exp(-data[i]!));
}

function idsOf(batch: ModelBatch, rows: readonly number[]): string {
  const shown = rows.slice(0, 5).map((r) => batch.ids[r] ?? `#${r}`);
  return shown.join(', ') + (rows.length > shown.length ? ` and ${rows.length - shown.length} more` : '');
}

/**
 * Load an ONNX classifier from its bytes and check it against the config.
 * @throws ValidationError for bytes that are not a loadable ONNX model, a bad
 * config, or a model whose inputs/outputs do not fit the config.
 */
export async function createOnnxAdapter(modelBytes: Uint8Array, configInput: OnnxConfigInput, opts: OnnxAdapterOptions = {}): Promise<ModelAdapter> {
  const config = parseOnnxConfig(configInput);
  const threads = opts.intraOpThreads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new ValidationError(`intraOpThreads must be a positive integer, not ${threads}`);
  if (!(modelBytes instanceof Uint8Array) || modelBytes.length === 0) throw new ValidationError(`${SOURCE}: cannot load: no bytes`);

  // loaded here, not with the module: every CLI command imports the adapters, few run an ONNX model
  const { InferenceSession, Tensor } = await import('onnxruntime-node');
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(modelBytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      graphOptimizationLevel: 'all',
      // Load failures surface as exceptions; onnxruntime's own warnings would only clutter worker stderr.
      logSeverityLevel: 3,
    });
  } catch (e) {
    throw new ValidationError(`${SOURCE}: cannot load: ${firstLine(e)}`);
  }
  let shape: ModelShape;
  try {
    shape = inspectSession(session, config);
  } catch (e) {
    await session.release().catch(() => undefined);
    throw e;
  }

  const labelCount = config.labels.length;
  const fitted: FittedFeaturizer | null = config.featurizer ? { config: config.featurizer, documentCount: 0, idf: null } : null;
  const width = shape.inputWidth ?? fitted?.config.dimension ?? null;
  const chunkRows = Math.min(shape.fixedBatch ?? ONNX_MAX_BATCH_SIZE, ONNX_MAX_BATCH_SIZE);
  let released = false;
  /** Runs still using the native session: dispose waits for them rather than freeing it underneath. */
  const running = new Set<Promise<unknown>>();

  /** rows × cols input values for rows [start, end) of the batch. */
  function chunkInput(batch: ModelBatch, start: number, end: number, cols: number): Float32Array {
    if (fitted) {
      const texts = batch.texts.slice(start, end) as string[];
      return densify(featurize(texts, fitted));
    }
    // A view, not a copy: onnxruntime-node reads the typed array's own byte range.
    return batch.features!.subarray(start * cols, end * cols);
  }

  async function runChunk(values: Float32Array, rows: number, cols: number, out: Float32Array, outOffset: number): Promise<void> {
    let fed = values;
    let fedRows = rows;
    if (shape.fixedBatch !== null && rows < shape.fixedBatch) {
      // A fixed-batch export only accepts exactly that many rows: pad the tail, drop the padding's answers.
      fed = new Float32Array(shape.fixedBatch * cols);
      fed.set(values);
      fedRows = shape.fixedBatch;
    }
    const run = session.run({ [shape.inputName]: new Tensor('float32', fed, [fedRows, cols]) }, [shape.outputName]);
    running.add(run);
    let result: InferenceSession.ReturnType;
    try {
      result = await run;
    } catch (e) {
      throw new ModelOutputError(`${SOURCE}: run failed: ${firstLine(e)}`);
    } finally {
      running.delete(run);
    }
    const answer = result[shape.outputName];
    if (!answer || (answer.type !== 'float32' && answer.type !== 'float64')) {
      throw new ModelOutputError(`${SOURCE}: output '${shape.outputName}' is not a float tensor`);
    }
    const [r, k] = answer.dims;
    if (answer.dims.length !== 2 || r !== fedRows || k !== labelCount) {
      throw new ModelOutputError(`${SOURCE}: output '${shape.outputName}' has shape ${describeShape(answer.dims)}, expected [${fedRows}, ${labelCount}]`);
    }
    const data = answer.data as Float32Array | Float64Array;
    // Float32Array.set converts float64 values element by element.
    out.set(data.subarray(0, rows * labelCount), outOffset);
  }

  async function predictProba(batch: ModelBatch, ctx: PredictContext = {}): Promise<Probabilities> {
    if (released) throw new ModelUnavailableError(`${SOURCE}: the adapter was disposed`);
    const rows = batchRows(batch);
    let cols: number;
    if (fitted) {
      const missing: number[] = [];
      for (let r = 0; r < rows; r++) if (typeof batch.texts[r] !== 'string') missing.push(r);
      if (missing.length > 0) throw new ValidationError(`${SOURCE} reads text; items without text: ${idsOf(batch, missing)}`);
      cols = fitted.config.dimension;
    } else {
      if (!batch.features || batch.featureDim === null) {
        const all = Array.from({ length: rows }, (_, r) => r);
        throw new ValidationError(`${SOURCE} reads features; items without features: ${idsOf(batch, all)}`);
      }
      cols = batch.featureDim;
      if (width !== null && cols !== width) {
        throw new ValidationError(`${SOURCE}: items have ${cols} features but input '${shape.inputName}' takes ${width}`, [
          { field: 'features', message: `expected ${width} values per item, got ${cols}` },
        ]);
      }
    }

    const out = new Float32Array(rows * labelCount);
    for (let start = 0; start < rows; start += chunkRows) {
      ctx.signal?.throwIfAborted();
      const end = Math.min(rows, start + chunkRows);
      await runChunk(chunkInput(batch, start, end, cols), end - start, cols, out, start * labelCount);
      if (released) throw new ModelUnavailableError(`${SOURCE}: the adapter was disposed during prediction`);
    }
    if (config.outputs === 'logits') {
      if (config.multiLabel) sigmoidAll(out);
      else softmaxRows(out, labelCount);
    }
    return checkModelOutput({ rows, labels: labelCount, data: out }, rows, labelCount, config.multiLabel, SOURCE);
  }

  return {
    kind: 'onnx',
    labels: Object.freeze([...config.labels]),
    multiLabel: config.multiLabel,
    capabilities: { trainable: false, runsInWorker: true, maxBatchSize: ONNX_MAX_BATCH_SIZE, input: config.input },
    predictProba,
    async dispose() {
      if (released) return;
      released = true;
      await Promise.allSettled([...running]);
      await session.release();
    },
  };
}
