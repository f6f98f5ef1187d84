// Turns zod issues into ValidationErrors that name the field and the rule, for single inputs and batches.
import type { z } from 'zod';
import { ValidationError, type FieldProblem } from '../errors';

function problemsOf(error: z.ZodError, prefix: string, index?: number): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...(index === undefined ? [] : [index]), ...issue.path].join('.'),
    message: issue.message,
    ...(index === undefined ? {} : { index }),
  }));
}

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(problemsOf(result.error, field));
  return result.data;
}

/**
 * Validates every item of a batch and reports all bad ones at once (index and reason each),
 * so that a producer can fix a rejected batch in one go. Throws before anything is written.
 */
export function parseBatch<S extends z.ZodType>(
  schema: S,
  items: readonly unknown[],
  field: string,
  limits: { max: number; min?: number },
): Array<z.output<S>> {
  const { valid, problems } = checkBatch(schema, items, field, limits);
  if (problems.length) throw new ValidationError(problems);
  return valid.map((v) => v.value);
}

/** Like parseBatch but hands back the valid items with their index and the problems, for checks that need I/O next. */
export function checkBatch<S extends z.ZodType>(
  schema: S,
  items: readonly unknown[],
  field: string,
  limits: { max: number; min?: number },
): { valid: Array<{ index: number; value: z.output<S> }>; problems: FieldProblem[] } {
  const min = limits.min ?? 1;
  if (items.length < min || items.length > limits.max) {
    throw ValidationError.single(field, `must hold between ${min} and ${limits.max} items (got ${items.length})`);
  }
  const problems: FieldProblem[] = [];
  const valid: Array<{ index: number; value: z.output<S> }> = [];
  items.forEach((item, index) => {
    const result = schema.safeParse(item);
    if (result.success) valid.push({ index, value: result.data });
    else problems.push(...problemsOf(result.error, field, index));
  });
  return { valid, problems };
}

/** Reports items of a batch that repeat a key used earlier in the same batch. */
export function rejectDuplicateKeys<T>(items: readonly T[], keyOf: (item: T) => string, field: string): void {
  const seen = new Map<string, number>();
  const problems: FieldProblem[] = [];
  items.forEach((item, index) => {
    const key = keyOf(item);
    const first = seen.get(key);
    if (first !== undefined) problems.push({ field: `${field}.${index}.id`, index, message: `repeats id ${key} of item ${first}` });
    else seen.set(key, index);
  });
  if (problems.length) throw new ValidationError(problems);
}
