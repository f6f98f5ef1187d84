// Campaign rules: valid campaigns and status changes, KPIs (live and recounted), series, live pushes.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../errors';
import { SharedLiveValues, type SharedLiveOptions } from '../realtime/shared-live';
import type { Campaign, CampaignStatus, CampaignStore } from '../store/campaigns';
import { topics } from '../store/keys';
import type { Bucket, KpiStore } from '../store/kpis';
import { decodeCursor, pageSize, toPage, type Page, type PageArgs } from '../store/pagination';
import type { ProductStore } from '../store/products';
import { MAX_ATTRIBUTION_WINDOW_HOURS } from '../domain/attribution';
import { toKpis, withRates, type CampaignKpis, type KpiCounts, type KpiFigures } from '../domain/campaign-kpis';
import { externalId } from './catalog';
import { parseInput } from './validation';

const fields = {
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  startsAt: z.date(),
  endsAt: z.date(),
  budget: z.number().finite().min(0, 'must not be negative').max(1e12),
  attributionWindowHours: z.number().int().min(1, 'must be at least 1').max(MAX_ATTRIBUTION_WINDOW_HOURS, `must be at most ${MAX_ATTRIBUTION_WINDOW_HOURS}`),
  productIds: z.array(externalId).max(10_000),
};
const endsAfterStart = (c: { startsAt?: Date; endsAt?: Date }) => !c.startsAt || !c.endsAt || c.endsAt > c.startsAt;
const createInput = z
  .object({ ...fields, attributionWindowHours: fields.attributionWindowHours.nullish(), productIds: fields.productIds.nullish() })
  .refine(endsAfterStart, { path: ['endsAt'], message: 'must be after startsAt' });
const updateInput = z.object({
  name: fields.name.optional(),
  startsAt: fields.startsAt.optional(),
  endsAt: fields.endsAt.optional(),
  budget: fields.budget.optional(),
  attributionWindowHours: fields.attributionWindowHours.optional(),
  productIds: fields.productIds.optional(),
});

/** Which status may follow which: an ENDED campaign stays ended. */
const TRANSITIONS: Record<CampaignStatus, CampaignStatus[]> = {
  DRAFT: ['ACTIVE', 'ENDED'],
  ACTIVE: ['PAUSED', 'ENDED'],
  PAUSED: ['ACTIVE', 'ENDED'],
  ENDED: [],
};

export interface KpiPoint extends KpiFigures {
  at: Date;
}

export const MAX_SERIES_POINTS = 2000;

export function seriesArgs(raw: { from: Date; to: Date; bucket: Bucket }, field: string) {
  const args = parseInput(
    z.object({ from: z.date(), to: z.date(), bucket: z.enum(['MINUTE', 'HOUR']) }).refine((a) => a.to > a.from, { path: ['to'], message: 'must be after from' }),
    raw,
    field,
  );
  const points = (args.to.getTime() - args.from.getTime()) / (args.bucket === 'HOUR' ? 3600_000 : 60_000);
  if (points > MAX_SERIES_POINTS) throw ValidationError.single(`${field}.to`, `spans ${Math.ceil(points)} buckets; at most ${MAX_SERIES_POINTS}`);
  return args;
}

export class CampaignService {
  /** One live value per campaign in this process, shared by all its `campaignKpisUpdated` subscribers. */
  private readonly liveKpis: SharedLiveValues<CampaignKpis>;

  constructor(
    private readonly campaigns: CampaignStore,
    private readonly kpiStore: KpiStore,
    private readonly products: ProductStore,
    /** The pub/sub, throttle (KPI_THROTTLE_MS) and metrics of live KPIs. */
    live: SharedLiveOptions,
  ) {
    this.liveKpis = new SharedLiveValues(live);
  }

  private async requireProducts(ids: string[] | null | undefined, field: string): Promise<void> {
    if (!ids?.length) return;
    const found = new Set((await this.products.findByIds(ids)).map((p) => p.id));
    const missing = ids.map((id, index) => ({ id, index })).filter((x) => !found.has(x.id));
    if (missing.length) {
      throw new ValidationError(missing.map((m) => ({ field: `${field}.productIds.${m.index}`, index: m.index, message: `names no catalog product (${m.id})` })));
    }
  }

  async get(id: string): Promise<Campaign | null> {
    return (await this.campaigns.findByIds([id]))[0] ?? null;
  }

  private async require(id: string): Promise<Campaign> {
    const c = await this.get(id);
    if (!c) throw new NotFoundError('Campaign', id);
    return c;
  }

  async create(raw: unknown): Promise<Campaign> {
    const input = parseInput(createInput, raw, 'input');
    await this.requireProducts(input.productIds, 'input');
    return this.campaigns.create({
      id: `cmp_${randomUUID()}`,
      name: input.name,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      budget: input.budget,
      attributionWindowHours: input.attributionWindowHours ?? 24,
      productIds: input.productIds ?? [],
    });
  }

  async update(id: string, raw: unknown): Promise<Campaign> {
    const patch = parseInput(updateInput, raw, 'input');
    const current = await this.require(id);
    if (!endsAfterStart({ startsAt: patch.startsAt ?? current.startsAt, endsAt: patch.endsAt ?? current.endsAt })) {
      throw ValidationError.single('input.endsAt', 'must be after startsAt');
    }
    await this.requireProducts(patch.productIds, 'input');
    const updated = await this.campaigns.update(id, patch);
    if (!updated) throw new NotFoundError('Campaign', id);
    return updated;
  }

  async setStatus(id: string, status: CampaignStatus): Promise<Campaign> {
    const current = await this.require(id);
    if (current.status !== status && !TRANSITIONS[current.status].includes(status)) {
      throw ValidationError.single('status', `cannot go from ${current.status} to ${status}`);
    }
    return (await this.campaigns.update(id, { status }))!;
  }

  async list(args: PageArgs & { status?: CampaignStatus | null }): Promise<Page<Campaign>> {
    const size = pageSize(args.first);
    const rows = await this.campaigns.list({ limit: size + 1, afterId: args.after ? decodeCursor(args.after, 'campaign', externalId) : undefined, status: args.status ?? undefined });
    return toPage(rows, size, 'campaign', (c) => c.id);
  }

  async kpis(campaign: Pick<Campaign, 'id' | 'createdAt'>): Promise<CampaignKpis> {
    const { counts, updatedAt } = await this.kpiStore.live(campaign.id);
    return toKpis(campaign.id, counts, updatedAt ?? campaign.createdAt);
  }

  /** Live counters next to a recount from Postgres, for `npm run kpis:verify`. */
  async verify(id: string): Promise<{ live: KpiCounts; recount: KpiCounts }> {
    await this.require(id);
    const [{ counts: live }, recount] = await Promise.all([this.kpiStore.live(id), this.kpiStore.recount(id)]);
    return { live, recount };
  }

  async series(campaignId: string, raw: { from: Date; to: Date; bucket: Bucket }): Promise<KpiPoint[]> {
    const args = seriesArgs(raw, 'series');
    const rows = await this.kpiStore.series(`campaign:${campaignId}`, args.from, args.to, args.bucket);
    return rows.map((r) => ({ at: r.at, ...withRates(r) }));
  }

  /**
   * Current KPIs at once, then on every change, at most one push per throttle interval, and none of a value the
   * subscriber has already. Read once per change for all the campaign's subscribers in this process.
   */
  async live(campaignId: string): Promise<AsyncIterableIterator<CampaignKpis>> {
    const campaign = await this.require(campaignId);
    return this.liveKpis.subscribe(campaignId, { topics: [topics.campaign(campaignId)], compute: () => this.kpis(campaign) });
  }

  /** Campaigns with live subscribers in this process (metrics). */
  get liveCampaigns(): number {
    return this.liveKpis.size;
  }
}
