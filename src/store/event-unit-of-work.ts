// The unit of work of applying recorded events to Redis: for a batch of jobs, once per job ever, one MULTI/EXEC
// transaction that carries, in this order,
//   1. the feature writes (feature-writes.ts: one script call for the whole batch),
//   2. the campaign counters (kpis.ts),
//   3. the announcements to live lists (announcements.ts; a worker's, not a rebuild's),
//   4. the jobs' applied markers,
// guarded by WATCH on the markers (and on the feature store's generation), so that a redelivered job has no second
// effect and nothing lands in a store that lost its data or is being rebuilt. The apply-events job
// (workers/apply-events.ts) composes it with announcements; a rebuild (services/feature-rebuild.ts) without.
import type { Redis } from 'ioredis';
import { changedUsers, type StoredEvent } from '../domain/events';
import { Announcements, type AnnounceCommands } from './announcements';
import { FeatureGenerationError, REPLAYING } from './feature-generation';
import { FeatureWrites, type PlanCommands } from './feature-writes';
import type { RedisKeys } from './keys';
import type { KpiStore } from './kpis';
import type { Transaction } from './redis';

const APPLIED_MARKER_TTL_SECONDS = 7 * 24 * 3600;

/** A job's events: what the unit of work applies once (the job id is the applied marker's name). */
export interface JobEvents {
  jobId: string;
  events: StoredEvent[];
}

export interface EventWriteParts {
  features: FeatureWrites;
  /** Campaign counters, under the same once-per-job markers. @default none */
  kpis?: KpiStore;
  /** Tells each changed user's live lists, from the transaction that wrote the change. @default none (a rebuild) */
  announcements?: Announcements;
}

export interface AppliedEvents {
  /** Jobs applied now (jobs applied before, by an earlier delivery or a replay, are left out). */
  applied: number;
  /** Their events. */
  events: StoredEvent[];
  /** Campaigns whose counters these events changed. */
  campaigns: string[];
}

/** Every script a unit of work's transaction may carry, defined on a writer connection (once). */
export function defineWriteScripts(writer: Redis): asserts writer is Redis & WriteCommands {
  FeatureWrites.defineScripts(writer);
  Announcements.defineScripts(writer);
}

export type WriteCommands = PlanCommands & AnnounceCommands;

export class EventUnitOfWork {
  constructor(
    private readonly keys: RedisKeys,
    private readonly parts: EventWriteParts,
  ) {}

  /**
   * Applies the events of several jobs at once, each job at most once ever. `writer` must be a connection used
   * by nobody else: WATCH on the jobs' applied-markers makes the check-then-write atomic, so two workers that
   * both received a job (a stalled job redelivered) cannot both apply it.
   *
   * Two round trips when nothing interferes (a worker's flush waits on each, and on a busy machine every round trip
   * is a wait for two processes to be scheduled): WATCH, the markers and the recent items of every job's users and
   * sessions in one pipeline, then the transaction.
   *
   * `generation`: the feature store's generation the writes need (keys.featureGeneration, read under the same WATCH):
   * `true`, any complete one (a worker: a store without one lost its data, or is being cleared or replayed into, and
   * must not be written to); a string, exactly that (a rebuild replaying into the generation it made). Absent: not
   * checked (tests, tools). A wrong one throws FeatureGenerationError, with nothing written.
   */
  async apply(writer: Redis, jobs: JobEvents[], opts: { generation?: string | true } = {}): Promise<AppliedEvents> {
    const { keys, parts } = this;
    defineWriteScripts(writer);
    const markers = jobs.map((j) => keys.appliedJob(j.jobId));
    const watched = opts.generation === undefined ? markers : [keys.featureGeneration(), ...markers];
    for (let attempt = 0; ; attempt++) {
      const read = writer.pipeline().watch(...watched).mget(...watched);
      // Read for every job's users and sessions: those of jobs applied already are read for nothing (rare).
      const recentOf = parts.features.queueReads(read, jobs.flatMap((j) => j.events));
      const replies = (await read.exec()) ?? [];
      const failed = replies.find(([err]) => err);
      if (failed) {
        await writer.unwatch().catch(() => undefined);
        throw failed[0];
      }
      const done = replies[1]![1] as Array<string | null>;
      if (opts.generation !== undefined) {
        const generation = done.shift()!;
        const wrong = opts.generation === true ? generation === null || generation.startsWith(REPLAYING) : generation !== opts.generation;
        if (wrong) {
          await writer.unwatch();
          throw new FeatureGenerationError(generation);
        }
      }
      const fresh = jobs.filter((_, i) => done[i] === null);
      if (!fresh.length) {
        await writer.unwatch();
        return { applied: 0, events: [], campaigns: [] };
      }
      const events = fresh.flatMap((j) => j.events);
      const tx = writer.multi() as Transaction & WriteCommands;
      parts.features.write(tx, events, recentOf(replies, 2));
      const campaigns = parts.kpis?.write(events, tx) ?? [];
      // Each user's live lists get the user's new state with the news (and read the cart again only when told it
      // may have changed).
      parts.announcements?.announce(tx, changedUsers(events));
      for (const j of fresh) tx.set(keys.appliedJob(j.jobId), '1', 'EX', APPLIED_MARKER_TTL_SECONDS);
      const result = await tx.exec();
      if (result !== null) {
        const error = result.find(([err]) => err);
        if (error) throw error[0];
        return { applied: fresh.length, events, campaigns };
      }
      // Another writer touched a marker between WATCH and EXEC: read again and retry.
      if (attempt >= 10) throw new Error('feature store: too many concurrent writers on the same jobs');
    }
  }
}
