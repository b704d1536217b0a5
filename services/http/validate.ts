/** Parses request input from `unknown` with a schema; a mismatch is a 400 that names the field. */
import type { z } from 'zod';
import { BadRequestError } from '../core/errors';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new BadRequestError(result.error.issues.map((i) => `${where}${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`).join('; '));
  }
  return result.data;
}
