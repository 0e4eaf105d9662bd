import { z } from '@hono/zod-openapi';
import { fakeConfigSchema, httpConfigSchema, onnxConfigSchema } from './adapters/index.js';

/**
 * Registering a model version that Quorum does not train: the body of
 * POST /api/v1/projects/:id/models, discriminated on `kind`. ONNX bytes travel as base64.
 */
export const registerModelSchema = z
  .discriminatedUnion('kind', [
    onnxConfigSchema.extend({ model: z.base64().openapi({ description: 'The .onnx file, base64' }) }),
    httpConfigSchema,
    fakeConfigSchema,
  ], {
    error: (iss) =>
      iss.code === 'invalid_union' ? 'kind must be onnx, http or fake (softmax and mlp models are trained by Quorum: quorum train, or POST …/training-runs)' : undefined,
  })
  .openapi('RegisterModel');
export type RegisterModelInput = z.input<typeof registerModelSchema>;

export const modelVersionSchema = z
  .object({
    id: z.number().int(),
    version: z.number().int().openapi({ description: '1, 2, … per project' }),
    kind: z.string(),
    labels: z.array(z.string()).openapi({ description: 'Column order of its probabilities' }),
    multiLabel: z.boolean(),
    input: z.enum(['features', 'text']),
    config: z.record(z.string(), z.unknown()),
    artifactHash: z.string().nullable(),
    artifactBytes: z.number().int().nullable(),
    hyperParams: z.record(z.string(), z.unknown()).nullable(),
    seed: z.number().int().nullable(),
    trainingRunId: z.number().int().nullable(),
    trainingSnapshot: z.record(z.string(), z.unknown()).nullable(),
    trainingReport: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string(),
  })
  .openapi('ModelVersion');
export type ModelVersion = z.infer<typeof modelVersionSchema>;
