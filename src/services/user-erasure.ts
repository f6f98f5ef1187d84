// `eraseUser` (issue 23): removes or irreversibly anonymises one shopper everywhere. Events stay as anonymous rows
// (a random pseudonym per erasure, no session), so campaign KPIs, sales, stock history and `kpis:verify` stay exact;
// the cart, the shopper's feature-store keys, session keys and kept lists go; co-occurrence and popularity are
// aggregates and stay. Models trained before stop using the shopper at the next training (their events no longer
// name them), and no list is computed from their history afterwards (it is read by user id, from Postgres and Redis).
// Idempotent: a second call finishes what a first one left (Redis unreachable, a crash between the two parts).
import { createHmac, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { UserErasure, UserErasureStore } from '../store/user-erasures';
import { externalId } from './catalog';
import { parseInput } from './validation';

/** An erasure not completed this long after its request was interrupted (one takes well under a second). */
const UNFINISHED_AFTER_MS = 60_000;
/**
 * How long after its completion an erasure's keys are deleted once more: longer than a worker's flush, which may
 * have read the shopper's events just before they were anonymised and write their features after the deletion.
 */
const SETTLE_AFTER_MS = 60_000;

const eraseArgs = z.object({
  userId: externalId,
  reason: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
});

export class UserErasureService {
  constructor(
    private readonly store: UserErasureStore,
    /** Keys the subject hash, so that the audit table cannot be searched by guessing ids without it. */
    private readonly secret: string,
  ) {}

  async erase(raw: { userId: unknown; reason: unknown }, requestedBy: string): Promise<UserErasure> {
    const { userId, reason } = parseInput(eraseArgs, raw, 'eraseUser');
    const subjectHash = createHmac('sha256', this.secret).update(userId).digest('hex');
    const id = randomUUID();
    await this.store.erasePostgres({ id, userId, subjectHash, pseudonym: `erased-${randomUUID()}`, reason, requestedBy });
    await this.store.finish(subjectHash);
    return (await this.store.get(id))!;
  }

  /** Finishes interrupted erasures and settles completed ones (the workers' ErasureSweep); how many it did. */
  sweep(now = Date.now()): Promise<number> {
    return this.store.sweep(new Date(now - UNFINISHED_AFTER_MS), new Date(now - SETTLE_AFTER_MS));
  }
}
