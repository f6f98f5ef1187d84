// Job `apply-events`: one outbox message of recorded events, to apply to the Redis feature store (the processor is
// workers/apply-events.ts).
import { z } from 'zod';
import { defineJob } from './job';

export const applyEventsJob = defineJob({
  queue: 'events',
  name: 'apply-events',
  // The outbox message, by id: its events are the events rows with that outbox_id, read by the worker (a job
  // holds no copy of them, in Redis for as long as BullMQ keeps the job).
  schema: z.object({ outboxId: z.string().regex(/^\d+$/, 'must be an outbox id') }),
  options: {
    attempts: 20,
    backoff: { type: 'exponential', delay: 200 },
    // Kept an hour so that a relay retry within that time finds the id and adds nothing (dedup by job id);
    // later duplicates are caught by the applied-job markers in the feature store.
    removeOnComplete: { age: 3600, count: 50_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
});
