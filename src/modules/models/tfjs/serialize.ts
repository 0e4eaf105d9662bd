/**
 * A model as one byte string, so a model version is one BLOB with a content hash:
 * "QTF1", u32 LE length of the JSON header, the UTF-8 JSON header
 * ({ spec, tensors: [{ name, shape }] }, keys sorted so equal models give equal
 * bytes and content hashes), zero padding to a multiple of 4,
 * then every tensor's float32 values, little-endian, in header order.
 * Our own format: no tf.io handlers, no LayersModel topology.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../../../core/errors.js';
import { canonicalJson } from '../featurize/index.js';
import { requireBackend, tf } from './backend.js';
import { makeModel, MODEL_FORMAT, MODEL_FORMAT_VERSION, tensorLayout, type ModelSpec, type TfModel } from './model.js';
import { resolveParams, trainParamsObject } from './params.js';

const MAGIC = [0x51, 0x54, 0x46, 0x31]; // "QTF1"

const specSchema = z.strictObject({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_FORMAT_VERSION),
  kind: z.enum(['softmax', 'mlp']),
  inputDim: z.number().int().min(1),
  labels: z.array(z.string()).min(1),
  multiLabel: z.boolean(),
  hidden: z.array(z.number().int().min(1)).max(2),
  standardize: z.boolean(),
  params: trainParamsObject.extend({ learningRate: z.number().positive() }),
});

const headerSchema = z.strictObject({
  spec: specSchema,
  tensors: z.array(z.strictObject({ name: z.string(), shape: z.array(z.number().int().min(0)) })),
});

function littleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** The model's bytes (reads its tensors back from the backend). */
export function serializeModel(model: TfModel): Uint8Array {
  if (!littleEndian()) throw new Error('serializeModel needs a little-endian platform');
  const layout = tensorLayout(model.spec);
  if (layout.length !== model.weights.length) throw new Error('model weights do not match its spec');
  const header = new TextEncoder().encode(canonicalJson({ spec: model.spec, tensors: layout }));
  const head = 8 + header.length;
  const pad = (4 - (head % 4)) % 4;
  let floats = 0;
  for (const s of layout) floats += s.shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(head + pad + floats * 4);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  const body = new Float32Array(out.buffer, head + pad, floats);
  let o = 0;
  for (const w of model.weights) {
    const v = w.dataSync() as Float32Array;
    body.set(v, o);
    o += v.length;
  }
  return out;
}

/** Rebuild a model from {@link serializeModel} bytes on the current backend. */
export function loadModel(bytes: Uint8Array): TfModel {
  requireBackend();
  if (!littleEndian()) throw new Error('loadModel needs a little-endian platform');
  if (!(bytes instanceof Uint8Array) || bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new ValidationError('not a model blob (bad magic)');
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const head = 8 + len;
  if (head > bytes.length) throw new ValidationError('model blob truncated (header)');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, head)));
  } catch {
    throw new ValidationError('model blob: header is not JSON');
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(`model blob: bad header: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { params, ...specRest } = parsed.data.spec;
  const spec: ModelSpec = { ...specRest, params: resolveParams(params) };
  const layout = tensorLayout(spec);
  if (JSON.stringify(layout) !== JSON.stringify(parsed.data.tensors)) throw new ValidationError('model blob: tensor list does not match the spec');
  const start = head + ((4 - (head % 4)) % 4);
  let floats = 0;
  for (const s of layout) floats += s.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== start + floats * 4) throw new ValidationError(`model blob: ${bytes.length - start} weight bytes, expected ${floats * 4}`);
  // Copy to an aligned buffer (the blob may sit at any offset of a bigger buffer; a Node Buffer's slice would not copy).
  const body = new Float32Array(new Uint8Array(bytes.subarray(start)).buffer);
  for (let i = 0; i < body.length; i++) if (!Number.isFinite(body[i]!)) throw new ValidationError(`model blob: weight ${i} is not finite`);
  const weights: tf.Tensor[] = [];
  let o = 0;
  for (const s of layout) {
    const size = s.shape.reduce((a, b) => a * b, 1);
    weights.push(tf.tensor(body.subarray(o, o + size), s.shape, 'float32'));
    o += size;
  }
  return makeModel(spec, weights);
}

/** SHA-256 (hex) of a model's bytes: the content hash stored with a model version. */
export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
