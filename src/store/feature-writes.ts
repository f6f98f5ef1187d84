// Feature writes: a batch's feature write plan (domain/feature-updates.ts) as one script call, and the reads the plan
// needs (each user's and session's recent items). The transaction they go into is the unit of work's
// (event-unit-of-work.ts). Key layouts are documented in keys.ts.
import type { Redis } from 'ioredis';
import type { StoredEvent } from '../domain/events';
import { CO_OCCURRENCE_KEPT, planFeatureWrites, RECENT_READ, USER_ITEMS_KEPT, type FeatureWritePlan, type RecentItems } from '../domain/feature-updates';
import type { RedisKeys } from './keys';
import { luaScript } from './lua';
import { replyPairs, type Transaction } from './redis';

const SESSION_TTL_SECONDS = 24 * 3600;

const APPLY_PLAN = { lua: luaScript('apply-plan'), numberOfKeys: 0 };

/** The plan script, as a command of a connection, pipeline or transaction. */
export type PlanCommands = { fwApplyPlan(plan: string): unknown };

/** Replies of a pipeline, as ioredis gives them. */
export type PipelineReplies = Array<[Error | null, unknown]>;

export class FeatureWrites {
  constructor(private readonly keys: RedisKeys) {}

  /** Defines the plan script on a writer connection (once): a writer is a connection of its own, not the reader. */
  static defineScripts(writer: Redis): asserts writer is Redis & PlanCommands {
    if (!('fwApplyPlan' in writer)) writer.defineCommand('fwApplyPlan', APPLY_PLAN);
  }

  /**
   * Queues the reads a plan of `events` needs (the recent items of their users and sessions) on `pipeline`; the
   * function returned takes the pipeline's replies, and where these reads begin among them.
   */
  queueReads(pipeline: Transaction, events: StoredEvent[]): (replies: PipelineReplies, from: number) => RecentItems {
    const users = [...new Set(events.map((e) => e.userId))];
    const sessions = [...new Set(events.flatMap((e) => (e.sessionId ? [e.sessionId] : [])))];
    for (const u of users) pipeline.zrevrange(this.keys.userItems(u), 0, RECENT_READ - 1, 'WITHSCORES');
    for (const s of sessions) pipeline.zrevrange(this.keys.sessionItems(s), 0, RECENT_READ - 1, 'WITHSCORES');
    return (replies, from) => {
      const read = (i: number) => replyPairs((replies[from + i]?.[1] as string[]) ?? []);
      return {
        users: new Map(users.map((u, i) => [u, read(i)])),
        sessions: new Map(sessions.map((s, i) => [s, read(users.length + i)])),
      };
    };
  }

  /** Adds the feature writes of `events` (given the recent items read before) to `tx`, as one script call. */
  write(tx: Transaction & PlanCommands, events: StoredEvent[], recent: RecentItems): void {
    tx.fwApplyPlan(encodePlan(this.keys, planFeatureWrites(events, recent)));
  }
}

/** Most members or score-member pairs per command in a plan (Lua's unpack() takes at most ~8,000 values). */
const PER_COMMAND = 1000;

/**
 * A write plan as the apply-plan script's argument: every write of a batch of events in one command (and one
 * JSON string), rather than the 20-30 commands per event it takes as separate ZINCRBY, ZADD, SADD… calls,
 * each of which the client builds, encodes and awaits on its own. Numbers travel as strings (shortest exact
 * form) so that Lua passes them on unrounded.
 */
export function encodePlan(keys: RedisKeys, plan: FeatureWritePlan): string {
  const zi: string[] = [];
  const zgt: string[][] = [];
  const trim: Array<string | number> = [];
  const expire: Array<string | number> = [];
  const sadd: string[][] = [];
  const hincr: Array<string | number> = [];
  const chunks = <T>(items: T[], each: (chunk: T[]) => void) => {
    for (let i = 0; i < items.length; i += PER_COMMAND) each(items.slice(i, i + PER_COMMAND));
  };
  for (const [p, by] of plan.popularity) zi.push(keys.popularity(), String(by), p);
  for (const [p, neighbours] of plan.coOccurrence) {
    const key = keys.coOccurrence(p);
    for (const [q, by] of neighbours) zi.push(key, String(by), q);
    // Trimming costs a write; do it on a fraction of updates, so keys hover just above the bound.
    if (Math.random() < 0.1) trim.push(key, -(CO_OCCURRENCE_KEPT + 1));
  }
  for (const [p, next] of plan.sequential) {
    const key = keys.sequential(p);
    for (const [q, by] of next) zi.push(key, String(by), q);
    if (Math.random() < 0.1) trim.push(key, -(CO_OCCURRENCE_KEPT + 1));
  }
  for (const [u, cats] of plan.userCategories) for (const [c, by] of cats) zi.push(keys.userCategories(u), String(by), c);
  for (const [u, items] of plan.userItems) {
    const key = keys.userItems(u);
    chunks([...items], (c) => zgt.push([key, ...c.flatMap(([p, t]) => [String(t), p])]));
    trim.push(key, -(USER_ITEMS_KEPT + 1));
  }
  for (const [s, items] of plan.sessionItems) {
    const key = keys.sessionItems(s);
    chunks([...items], (c) => zgt.push([key, ...c.flatMap(([p, t]) => [String(t), p])]));
    expire.push(key, SESSION_TTL_SECONDS);
  }
  for (const [u, items] of plan.userSeen) chunks([...items], (c) => sadd.push([keys.userSeen(u), ...c]));
  for (const [u, items] of plan.userBought) chunks([...items], (c) => sadd.push([keys.userBought(u), ...c]));
  for (const [p, counts] of plan.productStats) for (const [type, n] of counts) hincr.push(keys.productStats(p), type, n);
  // The lists kept for these users were computed from what this plan changes (list-cache.ts).
  const bump = [...new Set([...plan.userItems.keys(), ...plan.userSeen.keys(), ...plan.userCategories.keys()])].map((u) => keys.listVersion(u));
  return JSON.stringify({ zi, zgt, trim, expire, sadd, hincr, bump });
}
