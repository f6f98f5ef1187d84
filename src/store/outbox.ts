// The outbox table: claimed by relays with SKIP LOCKED so several processes can relay at once.
import type { PrismaClient } from './prisma';

export interface OutboxMessage {
  id: string;
  topic: string;
  payload: unknown;
}

export class OutboxStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Claims up to `limit` unsent messages, hands them to `deliver`, and marks them sent, in one transaction:
   * if `deliver` throws (Redis down) nothing is marked and the rows stay for the next attempt; if the process
   * dies after delivering but before commit, the next relay delivers again with the same job ids.
   */
  async relayBatch(limit: number, deliver: (messages: OutboxMessage[]) => Promise<void>): Promise<number> {
    return this.prisma.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<Array<{ id: bigint; topic: string; payload: unknown }>>`
          SELECT id, topic, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
        if (!rows.length) return 0;
        await deliver(rows.map((r) => ({ id: String(r.id), topic: r.topic, payload: r.payload })));
        await tx.$executeRaw`UPDATE outbox SET sent_at = now() WHERE id = ANY(${rows.map((r) => r.id)}::bigint[])`;
        return rows.length;
      },
      { timeout: 15_000, maxWait: 5_000 },
    );
  }

  async pending(): Promise<number> {
    const [row] = await this.prisma.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL`;
    return Number(row?.n ?? 0);
  }

  /** Sent messages are kept a while for inspection, then pruned. */
  async pruneSent(olderThanMs: number): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => ${olderThanMs / 1000})`;
  }
}
