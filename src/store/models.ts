// The model registry, training runs and experiments in Postgres, and the training data read from the events.
import { randomUUID } from 'node:crypto';
import type { Interaction } from '../recommender/types';
import { Prisma, type PrismaClient } from './prisma';

export type ModelStatus = 'CANDIDATE' | 'ACTIVE' | 'REJECTED' | 'RETIRED';
/** SKIPPED: an automatic run that found too little data to train on (the reason is in `error`). */
export type TrainingRunStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED';

export interface ModelMetrics {
  precisionAt10: number;
  recallAt10: number;
  ndcgAt10: number;
  map: number;
  /** Users in the hold-out. */
  users: number;
  /** The active model's algorithm refitted on the same training split and scored on the same hold-out. */
  baselineNdcgAt10: number | null;
  baselineModelId: string | null;
}

export interface ModelVersion {
  id: string;
  algorithm: string;
  params: Record<string, unknown>;
  metrics: ModelMetrics;
  trainedAt: Date;
  trainingEvents: number;
  durationMs: number;
  status: ModelStatus;
}

export interface TrainingRun {
  id: string;
  algorithm: string;
  trigger: string;
  requestedBy: string;
  status: TrainingRunStatus;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  modelVersionId: string | null;
  error: string | null;
}

export interface Variant {
  name: string;
  weight: number;
  /** `active`, `popularity`, `co-occurrence`, or a model version id. */
  model: string;
}

export interface Experiment {
  id: string;
  variants: Variant[];
  createdAt: Date;
}

/** How events become interaction weights: TRAIN_EVENT_WEIGHTS and TRAIN_HALF_LIFE_DAYS (0 = no decay). */
export interface InteractionWeighting {
  weights: Record<string, number>;
  halfLifeDays: number;
}

function weightedTypes(byType: Record<string, number>): { types: string[]; weights: number[] } {
  const types = Object.keys(byType).filter((t) => byType[t]! > 0);
  return { types, weights: types.map((t) => byType[t]!) };
}

/**
 * Most half-lives an event's age counts for: 2^-126 is float32's smallest normal number (models keep weights in
 * float32), and beyond ~1,074 half-lives Postgres' power() raises an underflow error instead of returning 0.
 * An interaction that old thus keeps a negligible weight rather than vanishing or failing the training.
 */
const MAX_HALF_LIVES = 126;

/** SQL for `w.weight` decayed by the age of `e.occurred_at` before `reference` (in a query joining w and e). */
function decayedWeight(halfLifeDays: number, reference: Date): Prisma.Sql {
  if (!(halfLifeDays > 0)) return Prisma.sql`w.weight`;
  return Prisma.sql`w.weight * power(0.5, LEAST(extract(epoch FROM ${reference}::timestamptz - e.occurred_at) / 86400 / ${halfLifeDays}::float8, ${MAX_HALF_LIVES}))`;
}

const versionSelect = {
  id: true, algorithm: true, params: true, metrics: true, trainedAt: true, trainingEvents: true, durationMs: true, status: true,
} as const;

function toVersion(r: { id: string; algorithm: string; params: unknown; metrics: unknown; trainedAt: Date; trainingEvents: number; durationMs: number; status: ModelStatus }): ModelVersion {
  return { ...r, params: r.params as Record<string, unknown>, metrics: r.metrics as ModelMetrics };
}

export class ModelStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Implicit feedback per (user, product): event weights summed, optionally decayed by age, for at most
   * `maxUsers` users (a stable hash sample, so consecutive runs see the same users). Ages count back from the
   * latest such event (`referenceTime`), not from now: on a live store the two are moments apart, while history
   * imported after the fact (a backfill) would otherwise decay to nothing.
   */
  /**
   * Training data: one weighted row per (user, product), weighed with `halfLifeDays`; with `alsoHalfLives`, the
   * same rows' weights with each of those half-lives too (one array each, in the rows' order), read in the same
   * statement.
   */
  async interactions(
    opts: InteractionWeighting & { maxUsers: number; alsoHalfLives?: readonly number[] },
  ): Promise<{ interactions: Interaction[]; alternatives: Array<{ halfLifeDays: number; weights: Float64Array }>; events: number; referenceTime: Date | null }> {
    const also = opts.alsoHalfLives ?? [];
    const { types, weights } = weightedTypes(opts.weights);
    const [latest] = await this.prisma.$queryRaw<Array<{ at: Date | null }>>`
      -- The reference time of a training: its latest weighted event.
      SELECT max(occurred_at) AS at FROM events WHERE product_id IS NOT NULL AND type::text = ANY(${types}::text[])`;
    const referenceTime = latest?.at ?? null;
    if (!referenceTime) return { interactions: [], alternatives: [], events: 0, referenceTime };
    const alsoWeights = also.length
      ? Prisma.sql`, ${Prisma.join(also.map((h, i) => Prisma.sql`sum(${decayedWeight(h, referenceTime)})::float8 AS ${Prisma.raw(`w${i}`)}`))}`
      : Prisma.empty;
    const rows = await this.prisma.$queryRaw<Array<{ user_id: string; product_id: string; weight: number; last_at: Date; n: number } & Record<string, number>>>`
      -- Training data: one weighted row per (user, product), users sampled by a stable hash when there are too many.
      WITH w AS (SELECT * FROM unnest(${types}::text[], ${weights}::float8[]) AS w(type, weight)),
      sampled AS (
        SELECT user_id FROM (SELECT DISTINCT user_id FROM events WHERE product_id IS NOT NULL) u
        ORDER BY md5(user_id) LIMIT ${opts.maxUsers}
      )
      SELECT e.user_id, e.product_id, sum(${decayedWeight(opts.halfLifeDays, referenceTime)})::float8 AS weight${alsoWeights},
             max(e.occurred_at) AS last_at, count(*)::int AS n
      FROM events e JOIN w ON w.type = e.type::text JOIN sampled s ON s.user_id = e.user_id
      WHERE e.product_id IS NOT NULL
      GROUP BY e.user_id, e.product_id`;
    return {
      interactions: rows.map((r) => ({ user: r.user_id, item: r.product_id, weight: r.weight, timestamp: r.last_at.getTime() })),
      alternatives: also.map((halfLifeDays, i) => ({ halfLifeDays, weights: Float64Array.from(rows, (r) => r[`w${i}`]!) })),
      events: rows.reduce((s, r) => s + r.n, 0),
      referenceTime,
    };
  }

  /**
   * One shopper's products weighted exactly as a training with these settings weighs them (the history a model
   * scores at request time), from the shopper's `maxEvents` latest weighted events; `lastAt` in epoch ms.
   */
  async history(userId: string, opts: InteractionWeighting & { referenceTime: Date; maxEvents: number }): Promise<Array<{ item: string; weight: number; lastAt: number }>> {
    const { types, weights } = weightedTypes(opts.weights);
    const rows = await this.prisma.$queryRaw<Array<{ product_id: string; weight: number; last_at: Date }>>`
      -- A shopper's history for model scoring: the training's weights over their latest weighted events.
      WITH w AS (SELECT * FROM unnest(${types}::text[], ${weights}::float8[]) AS w(type, weight)),
      e AS (
        SELECT product_id, type, occurred_at FROM events
        WHERE user_id = ${userId} AND product_id IS NOT NULL AND type::text = ANY(${types}::text[])
        ORDER BY occurred_at DESC LIMIT ${opts.maxEvents}
      )
      SELECT e.product_id, sum(${decayedWeight(opts.halfLifeDays, opts.referenceTime)})::float8 AS weight, max(e.occurred_at) AS last_at
      FROM e JOIN w ON w.type = e.type::text
      GROUP BY e.product_id`;
    return rows.map((r) => ({ item: r.product_id, weight: r.weight, lastAt: r.last_at.getTime() }));
  }

  /**
   * Queues a training run of `algorithm`, or returns the one of that algorithm still QUEUED (a request joins it).
   * Never one already RUNNING: that run read its interactions before this request, and would miss what preceded it.
   * The partial unique index `training_runs_one_queued` keeps one waiting run per algorithm across API instances.
   */
  async openRun(algorithm: string, trigger: string, requestedBy: string): Promise<{ run: TrainingRun; joined: boolean }> {
    for (;;) {
      const id = `run_${randomUUID()}`;
      const inserted = await this.prisma.$queryRaw<Array<{ id: string }>>`
        -- A new waiting run, unless one of this algorithm already waits.
        INSERT INTO training_runs (id, algorithm, trigger, requested_by) VALUES (${id}, ${algorithm}, ${trigger}, ${requestedBy})
        ON CONFLICT (algorithm) WHERE status = 'QUEUED' DO NOTHING RETURNING id`;
      if (inserted.length) return { run: (await this.run(id))!, joined: false };
      const waiting = await this.prisma.trainingRun.findFirst({ where: { algorithm, status: 'QUEUED' } });
      if (waiting) return { run: waiting, joined: true };
      // The waiting run started between the two statements: it may have read the store before this request's
      // caller committed what it wants trained on, so queue another.
    }
  }

  /** Runs waiting to start (QUEUED). */
  waitingRuns(): Promise<TrainingRun[]> {
    return this.prisma.trainingRun.findMany({ where: { status: 'QUEUED' }, orderBy: { requestedAt: 'asc' } });
  }

  run(id: string): Promise<TrainingRun | null> {
    return this.prisma.trainingRun.findUnique({ where: { id } });
  }

  async startRun(id: string): Promise<TrainingRun | null> {
    // RUNNING too: a job redelivered after its worker died resumes its run (BullMQ's lock keeps it to one worker).
    const rows = await this.prisma.trainingRun.updateManyAndReturn({
      where: { id, status: { in: ['QUEUED', 'RUNNING'] } },
      data: { status: 'RUNNING', startedAt: new Date() },
    });
    return rows[0] ?? null;
  }

  /** `error` is why a run FAILED, or why it was SKIPPED. */
  async finishRun(id: string, outcome: { status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED'; modelVersionId?: string; error?: string }): Promise<void> {
    await this.prisma.trainingRun.update({ where: { id }, data: { ...outcome, finishedAt: new Date() } });
  }

  /**
   * Runs open for too long (their job was lost with Redis, say) are failed, so requests are not joined to a ghost.
   * A running one counts from its start: it may have waited behind another training before.
   */
  async failStaleRuns(olderThanMs: number): Promise<number> {
    const before = new Date(Date.now() - olderThanMs);
    const { count } = await this.prisma.trainingRun.updateMany({
      where: { OR: [{ status: 'QUEUED', requestedAt: { lt: before } }, { status: 'RUNNING', startedAt: { lt: before } }] },
      data: { status: 'FAILED', finishedAt: new Date(), error: 'abandoned: the worker running it stopped' },
    });
    return count;
  }

  /** Saves a version; when `promote`, it becomes the only ACTIVE one (the previous is RETIRED) atomically. */
  async saveVersion(v: Omit<ModelVersion, 'id' | 'status' | 'trainedAt'> & { artifact: Uint8Array; promote: boolean }): Promise<ModelVersion> {
    const id = `mv_${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;
    return this.prisma.$transaction(async (tx) => {
      if (v.promote) {
        // Trainings may finish side by side on several workers: one promotion at a time, so that the later one
        // retires the earlier (which its statements would not see otherwise) instead of failing on the one-ACTIVE
        // index. SHARE ROW EXCLUSIVE conflicts with itself and with writes, not with reads: serving goes on reading.
        await tx.$executeRaw`LOCK TABLE model_versions IN SHARE ROW EXCLUSIVE MODE`;
        await tx.modelVersion.updateMany({ where: { status: 'ACTIVE' }, data: { status: 'RETIRED' } });
      }
      const row = await tx.modelVersion.create({
        data: {
          id, algorithm: v.algorithm, params: v.params as Prisma.InputJsonValue, metrics: v.metrics as unknown as Prisma.InputJsonValue,
          trainingEvents: v.trainingEvents, durationMs: v.durationMs, status: v.promote ? 'ACTIVE' : 'REJECTED', artifact: Buffer.from(v.artifact),
        },
        select: versionSelect,
      });
      return toVersion(row);
    });
  }

  async active(): Promise<ModelVersion | null> {
    const row = await this.prisma.modelVersion.findFirst({ where: { status: 'ACTIVE' }, select: versionSelect });
    return row ? toVersion(row) : null;
  }

  async version(id: string): Promise<ModelVersion | null> {
    const row = await this.prisma.modelVersion.findUnique({ where: { id }, select: versionSelect });
    return row ? toVersion(row) : null;
  }

  async artifact(id: string): Promise<Uint8Array | null> {
    const row = await this.prisma.modelVersion.findUnique({ where: { id }, select: { artifact: true } });
    return row ? new Uint8Array(row.artifact) : null;
  }

  /** Newest first. */
  async list(opts: { limit: number; before?: { trainedAt: Date; id: string } }): Promise<ModelVersion[]> {
    const rows = await this.prisma.modelVersion.findMany({
      where: opts.before ? { OR: [{ trainedAt: { lt: opts.before.trainedAt } }, { trainedAt: opts.before.trainedAt, id: { lt: opts.before.id } }] } : {},
      orderBy: [{ trainedAt: 'desc' }, { id: 'desc' }],
      take: opts.limit,
      select: versionSelect,
    });
    return rows.map(toVersion);
  }

  async saveExperiment(variants: Variant[]): Promise<Experiment> {
    const row = await this.prisma.experiment.create({ data: { id: `exp${Date.now().toString(36)}`, variants: variants as unknown as Prisma.InputJsonValue } });
    return { id: row.id, variants: row.variants as unknown as Variant[], createdAt: row.createdAt };
  }

  async currentExperiment(): Promise<Experiment | null> {
    const row = await this.prisma.experiment.findFirst({ orderBy: { createdAt: 'desc' } });
    return row ? { id: row.id, variants: row.variants as unknown as Variant[], createdAt: row.createdAt } : null;
  }

  /** Clicks, purchases and revenue from events that carry a list id of this experiment, per variant. */
  async experimentOutcomes(experimentId: string): Promise<Map<string, { clicks: number; purchases: number; revenue: number }>> {
    const rows = await this.prisma.$queryRaw<Array<{ variant: string; clicks: number; purchases: number; revenue: string | null }>>`
      -- Per-variant outcomes of an experiment: list ids look like rl.<experiment>.<variant>.<uuid>.
      SELECT split_part(recommendation_id, '.', 3) AS variant,
             count(*) FILTER (WHERE type = 'CLICK')::int AS clicks,
             count(*) FILTER (WHERE type = 'PURCHASE')::int AS purchases,
             sum(quantity * COALESCE(unit_price, 0)) FILTER (WHERE type = 'PURCHASE')::text AS revenue
      FROM events WHERE recommendation_id LIKE ${`rl.${experimentId}.%`}
      GROUP BY 1`;
    return new Map(rows.map((r) => [r.variant, { clicks: r.clicks, purchases: r.purchases, revenue: Number(r.revenue ?? 0) }]));
  }
}
