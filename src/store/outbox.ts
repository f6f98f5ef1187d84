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
   * Claims up to `limit` unsent messages, marks them sent, hands them to `deliver`, and commits, in one
   * transaction: if `deliver` throws (Redis down) the transaction rolls back, so nothing is marked and the rows
   * stay for the next attempt; if the process dies after delivering but before commit, the next relay delivers
   * again with the same job ids. Claiming and marking are one statement (the relay runs after every recorded
   * batch, so each round trip here is one per event at low rates).
   */
  async relayBatch(limit: number, deliver: (messages: OutboxMessage[]) => Promise<void>): Promise<number> {
    return this.prisma.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<Array<{ id: bigint; topic: string; payload: unknown }>>`
          -- Claim (skipping rows another relay holds) and mark sent; the mark stands only if this transaction commits.
          UPDATE outbox o SET sent_at = now()
          FROM (SELECT id FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED) claimed
          WHERE o.id = claimed.id
          RETURNING o.id, o.topic, o.payload`;
        if (!rows.length) return 0;
        // RETURNING follows no particular order; jobs are enqueued in outbox order.
        rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        await deliver(rows.map((r) => ({ id: String(r.id), topic: r.topic, payload: r.payload })));
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
