/** The adapter registry: one factory per kind, all behind the same contract. */
import { ValidationError } from '../../../core/errors.js';
import type { ModelAdapter } from '../adapter.js';
import type { VersionSpec } from '../version-spec.repo.js';
import { createFakeAdapter, fakeConfigSchema } from './fake.js';
import { createHttpAdapter, httpConfigSchema } from './http.js';
import { createOnnxAdapter, onnxConfigSchema } from './onnx.js';

/** Remote models are called from the main thread (async I/O); every other kind is CPU work for the workers. */
export function runsInWorker(kind: string): boolean {
  return kind !== 'http';
}

export async function createAdapter(v: Omit<VersionSpec, 'id' | 'input'>): Promise<ModelAdapter> {
  switch (v.kind) {
    case 'softmax':
    case 'mlp':
      if (!v.artifact) throw new ValidationError(`a ${v.kind} version needs its artifact`);
      // Loaded on demand: TF.js takes ~0.8 s to import and only the worker threads run these models.
      return (await import('./builtin.js')).createBuiltinAdapter(v.artifact);
    case 'onnx':
      if (!v.artifact) throw new ValidationError('an onnx version needs its model bytes');
      return createOnnxAdapter(v.artifact, onnxConfigSchema.parse(v.config));
    case 'http':
      return createHttpAdapter(httpConfigSchema.parse(v.config));
    case 'fake':
      return createFakeAdapter(fakeConfigSchema.parse(v.config), v.labels);
    default:
      throw new ValidationError(`unknown model kind "${v.kind}"`);
  }
}

export type { BuiltinTrainInput, BuiltinTrainOutput } from './builtin.js';
export { createFakeAdapter, fakeConfigSchema, fakeProbabilities, type FakeConfig } from './fake.js';
export { createHttpAdapter, httpConfigSchema, type HttpConfig } from './http.js';
export { createOnnxAdapter, onnxConfigSchema, type OnnxConfig } from './onnx.js';
