import { z } from '@hono/zod-openapi';
import { ROLES } from '../../core/labels.js';

export const userNameSchema = z
  .string()
  .min(1, 'a user name cannot be empty')
  .max(128)
  .refine((n) => n.trim() === n, 'a user name cannot start or end with white space')
  .refine((n) => !/[\u0000-\u001f\u007f]/.test(n), 'a user name cannot contain control characters')
  .openapi({ example: 'alice' });

export const roleSchema = z.enum(ROLES);

export const createUserSchema = z.object({ name: userNameSchema, role: roleSchema }).strict().openapi('CreateUser');
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const userSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role: roleSchema,
    hasToken: z.boolean().openapi({ description: 'false for annotators known only from imported labels' }),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('User');
export type User = z.infer<typeof userSchema>;

export const createdUserSchema = userSchema
  .extend({ token: z.string().openapi({ description: 'Bearer token; shown once, stored only as a hash' }) })
  .openapi('CreatedUser');
