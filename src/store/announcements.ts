// Announcements: a worker tells live lists, on each user's pub/sub topic, that the user's features changed, with the
// user's new state in the message (a UserChange), so that the API instance computing the list reads nothing itself.
//
// An announcement is a command of the transaction that writes the events (store/event-unit-of-work.ts), run by
// Redis right after those writes: it goes out only when they were made, at once, and carries the state they left,
// versioned by the Redis clock (scripts run one at a time, so a later version never carries an older state). The
// PubSub port's publish() sends from the client after the fact, which would lose all three; the channel is named
// as RedisPubSub names it (keys.channel), so subscribers through the port hear it.
import type { Redis } from 'ioredis';
import { RECENT_READ } from '../domain/feature-updates';
import { topics, type RedisKeys } from './keys';
import { luaScript } from './lua';
import { replyList, replyPairs, type Transaction } from './redis';

/** The user-state function as a script prefix (user-state.lua), for the scripts that read a user's state. */
export const withUserState = { includes: ['user-state'], constants: { RECENT_READ } };

const ANNOUNCE = { lua: luaScript('announce', withUserState), numberOfKeys: 0 };

/** Most members of an exclusion set an announcement carries. */
const ANNOUNCED_MEMBERS = 250;

/** A user's own state: what a worker announces on the user's topic after applying the user's events, and what
 * FeatureStore.userState reads. */
export interface UserChange {
  /** Redis clock (µs, as a decimal string) when the state was read: a later one is never older. */
  v: string;
  /** Whether the user's cart may have changed (a cart event was among the applied ones). */
  cart: boolean;
  /** The user's recommendation list version when the state was read (list-cache.ts), if the user has one. */
  listVersion: number | null;
  recent: string[];
  affinity: Map<string, number>;
  /** The exclusion sets, when small enough to travel; null: read them from Redis. */
  seen: Set<string> | null;
  bought: Set<string> | null;
}

/** Parses a user's state (an announcement, or FeatureStore.userState's reply); null for a bare notice (USER_CHANGED,
 * keys.ts), which carries no state. */
export function parseUserChange(message: string): UserChange | null {
  if (message[0] !== '{') return null;
  const raw = JSON.parse(message) as { v: string; cart: boolean; lv?: string | false; recent: unknown; affinity: unknown; seen: unknown; bought: unknown };
  return {
    v: raw.v,
    listVersion: raw.lv ? Number(raw.lv) : null,
    cart: raw.cart,
    recent: replyList<string>(raw.recent),
    affinity: replyPairs(replyList(raw.affinity)),
    seen: raw.seen === false ? null : new Set(replyList<string>(raw.seen)),
    bought: raw.bought === false ? null : new Set(replyList<string>(raw.bought)),
  };
}

/** The announce script, as a command of a connection, pipeline or transaction. */
export type AnnounceCommands = { fwAnnounce(...args: Array<string | number>): unknown };

export class Announcements {
  constructor(private readonly keys: RedisKeys) {}

  /** Defines the script on a writer connection (once), so that its transactions may carry announcements. */
  static defineScripts(writer: Redis): asserts writer is Redis & AnnounceCommands {
    if (!('fwAnnounce' in writer)) writer.defineCommand('fwAnnounce', ANNOUNCE);
  }

  /** Announces each user's new state on the user's topic, to whoever listens, as one command of `tx` (right after
   * the writes it tells of). */
  announce(tx: Transaction & AnnounceCommands, users: Array<{ userId: string; cart: boolean }>): void {
    if (!users.length) return;
    const args: Array<string | number> = [ANNOUNCED_MEMBERS];
    for (const { userId, cart } of users) {
      args.push(
        this.keys.channel(topics.userFeatures(userId)),
        this.keys.userItems(userId),
        this.keys.userCategories(userId),
        this.keys.userSeen(userId),
        this.keys.userBought(userId),
        cart ? '1' : '0',
        this.keys.listVersion(userId),
      );
    }
    tx.fwAnnounce(...args);
  }
}
