/** Parses request input from `unknown` with a schema; a mismatch is a 400 that names the field. */
import type { z } from 'zod';
import { BadRequestError } from '../core/errors';
import { parseInstant } from '../energy/time';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new BadRequestError(result.error.issues.map((i) => `${where}${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`).join('; '));
  }
  return result.data;
}

/**
 * The `at` of a figures route: absent means now; ISO-8601 read in the site zone; never in the
 * future (figures of an instant that has not come would be a forecast dressed as a fact).
 */
export function instantQuery(text: string | undefined, zone: string, now: number): number {
  if (text === undefined) return now;
  const at = parseInstant(text, zone);
  if (at === undefined) throw new BadRequestError(`at must be ISO-8601, got "${text}"`);
  if (at > now) throw new BadRequestError('at must not be in the future');
  return at;
}
