// Erasing a shopper (issue 23): their events anonymised (kept for KPIs, sales and stock history, which stay exact),
// their cart removed, in one Postgres transaction with the audit row; then their Redis keys deleted. The audit row
// names the keys until the erasure is settled, so that a sweep finishes an erasure a crash or a Redis outage
// interrupted, and deletes the keys once more a while later: a worker that read the shopper's events just before
// the transaction may write their features just after the first deletion.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';
import type { PrismaClient } from './prisma';

export interface UserErasure {
  id: string;
  reason: string;
  requestedBy: string;
  requestedAt: Date;
  completedAt: Date | null;
  eventsAnonymised: number;
  cartItemsRemoved: number;
  redisKeysRemoved: number;
}

export class UserErasureStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * The Postgres part, in one transaction: the user's events get `pseudonym` as their user and lose their session
   * (the rows, counts and amounts stay), the cart goes, and the audit row is written with the Redis keys to delete.
   */
  async erasePostgres(e: { id: string; userId: string; subjectHash: string; pseudonym: string; reason: string; requestedBy: string }): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const sessions = await tx.event.findMany({ where: { userId: e.userId, sessionId: { not: null } }, distinct: ['sessionId'], select: { sessionId: true } });
      const events = await tx.event.updateMany({ where: { userId: e.userId }, data: { userId: e.pseudonym, sessionId: null } });
      const cart = await tx.cartItem.deleteMany({ where: { userId: e.userId } });
      const k = this.keys;
      const pendingKeys = [
        k.userItems(e.userId), k.userSeen(e.userId), k.userBought(e.userId), k.userCategories(e.userId), k.listVersion(e.userId), k.keptLists(e.userId),
        ...sessions.map((s) => k.sessionItems(s.sessionId!)),
      ];
      await tx.userErasure.create({
        data: { id: e.id, subjectHash: e.subjectHash, reason: e.reason, requestedBy: e.requestedBy, eventsAnonymised: events.count, cartItemsRemoved: cart.count, pendingKeys },
      });
    });
  }

  /** Deletes the Redis keys of every unfinished erasure of the subject and marks them completed (not settled). */
  async finish(subjectHash: string): Promise<void> {
    for (const row of await this.prisma.userErasure.findMany({ where: { subjectHash, completedAt: null } })) await this.complete(row);
  }

  /**
   * Completes the erasures left unfinished since before `unfinishedBefore` (their request failed half-way), and settles
   * those completed before `completedBefore`: their keys deleted once more, then forgotten. Returns how many it did.
   */
  async sweep(unfinishedBefore: Date, completedBefore: Date): Promise<number> {
    const [unfinished, unsettled] = await Promise.all([
      this.prisma.userErasure.findMany({ where: { completedAt: null, requestedAt: { lt: unfinishedBefore } }, take: 100 }),
      this.prisma.userErasure.findMany({ where: { settledAt: null, completedAt: { lt: completedBefore } }, take: 100 }),
    ]);
    for (const row of unfinished) await this.complete(row);
    for (const row of unsettled) await this.deleteKeys(row, { settledAt: new Date(), pendingKeys: [] });
    return unfinished.length + unsettled.length;
  }

  private complete(row: { id: string; pendingKeys: string[] }): Promise<void> {
    return this.deleteKeys(row, { completedAt: new Date() });
  }

  /** Deletes the row's keys (the count added to the row's) and records `then` with it. */
  private async deleteKeys(row: { id: string; pendingKeys: string[] }, then: { completedAt?: Date; settledAt?: Date; pendingKeys?: string[] }): Promise<void> {
    const removed = row.pendingKeys.length ? await this.redis.unlink(...row.pendingKeys) : 0;
    await this.prisma.userErasure.update({ where: { id: row.id }, data: { ...then, redisKeysRemoved: { increment: removed } } });
  }

  async get(id: string): Promise<UserErasure | null> {
    const row = await this.prisma.userErasure.findUnique({ where: { id } });
    if (!row) return null;
    const { subjectHash: _hash, pendingKeys: _keys, settledAt: _settled, ...rest } = row;
    return rest;
  }
}
