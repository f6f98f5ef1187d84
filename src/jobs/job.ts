// A job type declares its queue, name and payload schema in one place. The payload is checked on enqueue
// and again on dequeue; a bad payload fails at once without retry (it would fail the same way every time).
import { UnrecoverableError, type JobsOptions } from 'bullmq';
import type { z } from 'zod';

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  queue: string;
  name: string;
  schema: S;
  options?: JobsOptions;
}

export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}

export function checkPayload<S extends z.ZodType>(def: JobDefinition<S>, data: unknown): z.output<S> {
  const parsed = def.schema.safeParse(data);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new UnrecoverableError(`bad payload for job ${def.name}: ${why}`);
  }
  return parsed.data;
}

/** A dequeued job's payload, checked: the job must be of `def` (another name on its queue is a wiring mistake, failed
 * like any error) and its payload must parse (see checkPayload). */
export function checkJob<S extends z.ZodType>(def: JobDefinition<S>, job: { name: string; data: unknown }): z.output<S> {
  if (job.name !== def.name) throw new Error(`unknown job ${job.name} on queue ${def.queue}`);
  return checkPayload(def, job.data);
}

/** The job id for an outbox message: the same on every relay attempt, and what rebuilds mark as applied. */
export function outboxJobId(outboxId: string): string {
  return `outbox-${outboxId}`;
}
