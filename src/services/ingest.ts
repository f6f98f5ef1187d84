// Ingest rules: what a valid event is, batch limits, defaults taken from the catalog, idempotency by id.
import { z } from 'zod';
import { ValidationError, type FieldProblem } from '../errors';
import { retryOnDeadlock } from '../store/db';
import { type EventStore, type RecordedGroup } from '../store/events';
import { EVENT_TYPES, type StoredEvent } from '../domain/events';
import type { CampaignStore } from '../store/campaigns';
import type { OutboxMessage } from '../store/outbox';
import type { ProductStore } from '../store/products';
import { externalId } from './catalog';
import { GroupCommit } from './group-commit';
import { checkBatch } from './validation';

export const MAX_EVENT_BATCH = 1000;
/** Producers' clocks drift; more than this in the future is a bug, not drift. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

const eventInput = z
  .object({
    id: externalId,
    type: z.enum(EVENT_TYPES),
    userId: externalId,
    sessionId: externalId.nullish(),
    productId: externalId.nullish(),
    campaignId: externalId.nullish(),
    recommendationId: z.string().min(1).max(128).nullish(),
    quantity: z.number().int().min(1, 'must be between 1 and 10000').max(10_000, 'must be between 1 and 10000').nullish(),
    unitPrice: z.number().finite().min(0, 'must not be negative').max(1e9).nullish(),
    occurredAt: z.date().nullish(),
  })
  .superRefine((e, ctx) => {
    if (e.type !== 'IMPRESSION' && !e.productId) {
      ctx.addIssue({ code: 'custom', path: ['productId'], message: `is required for ${e.type} events` });
    }
    if (e.occurredAt && e.occurredAt.getTime() > Date.now() + MAX_FUTURE_SKEW_MS) {
      ctx.addIssue({ code: 'custom', path: ['occurredAt'], message: 'must not be more than 5 minutes in the future' });
    }
  });

export interface RecordEventsResult {
  accepted: number;
  duplicates: number;
}

/** Most events written by one group commit (five full batches). */
const MAX_GROUP_EVENTS = 5 * MAX_EVENT_BATCH;
/** Least events in a group written while another is in flight (see GroupCommitOptions.concurrentWeight). */
const CONCURRENT_GROUP_EVENTS = 100;

export class IngestService {
  private readonly writer: GroupCommit<StoredEvent[], RecordedGroup['batches'][number]>;

  constructor(
    private readonly events: EventStore,
    private readonly products: ProductStore,
    private readonly campaigns: CampaignStore,
    /** Given the outbox message of every committed group, to enqueue at once (the relay). */
    private readonly handOff: (messages: OutboxMessage[]) => void,
    /** Told what each call recorded (metrics). */
    private readonly onRecorded?: (result: { accepted: number; duplicates: number }) => void,
    /** The kept recommendation lists, whose users' versions each commit bumps before it is answered. */
    private readonly lists?: { invalidate(userIds: Iterable<string>): Promise<void> },
  ) {
    // Concurrent recordEvents calls share one statement (and one transaction when purchases take stock).
    this.writer = new GroupCommit((batches) => this.writeGroup(batches), {
      maxWeight: MAX_GROUP_EVENTS,
      weight: (b) => b.length,
      fits: attributionApart,
      // Two writes in flight let Postgres use both cores with large batches (bench:ingest, batches of 1,000:
      // ratio 0.44–0.49 against 0.30–0.33 with one); small groups go one at a time and grow instead (events sent
      // one by one, bench:latency at 1,000/s: p99 74–88 ms against 106–174 with two small writes in flight).
      concurrency: 2,
      concurrentWeight: CONCURRENT_GROUP_EVENTS,
    });
  }

  async recordEvents(input: readonly unknown[]): Promise<RecordEventsResult> {
    // Every bad event is reported at once, shape errors and unknown products alike.
    const { valid, problems } = checkBatch(eventInput, input, 'events', { max: MAX_EVENT_BATCH });
    if (problems.length) {
      // Only a rejected batch looks the catalog up here; a valid one has it checked by the statement that
      // records it (no round trip of its own).
      problems.push(...(await this.unknownReferences(valid)));
      throw new ValidationError(problems.sort((a, b) => (a.index ?? 0) - (b.index ?? 0)));
    }
    const now = Date.now();
    const rows: StoredEvent[] = valid.map(({ value: e }) => ({
      id: e.id,
      type: e.type,
      userId: e.userId,
      sessionId: e.sessionId ?? null,
      productId: e.productId ?? null,
      category: null, // from the catalog, when recorded
      campaignId: e.campaignId ?? null,
      attributedCampaignId: null,
      recommendationId: e.recommendationId ?? null,
      quantity: e.quantity ?? 1,
      unitPrice: e.unitPrice ?? null, // null: the product's price, when recorded
      occurredAt: e.occurredAt?.getTime() ?? now,
    }));
    const { fresh, unknown } = await this.writer.submit(rows);
    if (unknown.length) {
      throw new ValidationError(
        unknown
          .map(({ index, field, ref }) => ({
            field: `events.${index}.${field}`,
            index,
            message: field === 'productId' ? `names no catalog product (${ref})` : `names no campaign (${ref})`,
          }))
          .sort((a, b) => a.index - b.index),
      );
    }
    const result = { accepted: fresh.size, duplicates: rows.length - fresh.size };
    this.onRecorded?.(result);
    return result;
  }

  /** Events of a rejected batch that name no catalog product or no campaign, for its error. */
  private async unknownReferences(valid: Array<{ index: number; value: z.output<typeof eventInput> }>): Promise<FieldProblem[]> {
    const productIds = [...new Set(valid.flatMap(({ value: e }) => (e.productId ? [e.productId] : [])))];
    const campaignIds = [...new Set(valid.flatMap(({ value: e }) => (e.campaignId ? [e.campaignId] : [])))];
    const [productRows, campaignRows] = await Promise.all([this.products.findByIds(productIds), this.campaigns.findByIds(campaignIds)]);
    const products = new Set(productRows.map((p) => p.id));
    const campaigns = new Set(campaignRows.map((c) => c.id));
    return valid.flatMap(({ index, value: e }) => [
      ...(e.productId && !products.has(e.productId)
        ? [{ field: `events.${index}.productId`, index, message: `names no catalog product (${e.productId})` }]
        : []),
      ...(e.campaignId && !campaigns.has(e.campaignId)
        ? [{ field: `events.${index}.campaignId`, index, message: `names no campaign (${e.campaignId})` }]
        : []),
    ]);
  }

  /**
   * Writes a group of batches (see GroupCommit) in one statement, which also credits purchases to campaigns
   * (last click) and takes the stock they buy (see EventStore.recordGroup): a single statement is atomic by
   * itself, so no transaction and no round trip beyond it.
   */
  private async writeGroup(batches: StoredEvent[][]): Promise<RecordedGroup['batches']> {
    const recorded = await retryOnDeadlock(() => this.events.recordGroup(batches));
    if (recorded.outbox.length) this.handOff(recorded.outbox);
    // Before the answer: a `recommendations` query the client sends next must not be served a list kept from before
    // these events. Without Redis the events are still recorded (the worker bumps the versions again when it
    // applies them, and kept lists expire).
    await this.lists?.invalidate(new Set(batches.flatMap((b) => b.map((e) => e.userId)))).catch(() => undefined);
    return recorded.batches;
  }
}

/**
 * Whether `batch` may be written with, or at the same time as, `group`: not when it has a purchase to attribute
 * whose user clicked a campaign in the group. That purchase is then recorded in a later group, once the click's
 * group is committed, so that its attribution query sees the click (or not, if its batch was rejected), exactly
 * as if the batches came one by one.
 */
export function attributionApart(group: readonly StoredEvent[][], batch: StoredEvent[]): boolean {
  const buyers = new Set(batch.flatMap((r) => (r.type === 'PURCHASE' && !r.campaignId ? [r.userId] : [])));
  return !buyers.size || !group.some((b) => b.some((r) => r.type === 'CLICK' && r.campaignId && buyers.has(r.userId)));
}
