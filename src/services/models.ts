// The model registry as the API reads it: versions, runs, the active model, the settings a version was trained with,
// and a shopper's history as a version scores it. Training is training.ts; experiments experiments.ts; what an API
// instance serves from model-serving.ts.
import { z } from 'zod';
import { EventStream } from '../realtime/event-stream';
import { topics } from '../store/keys';
import type { ModelStore, ModelVersion, TrainingRun } from '../store/models';
import { decodeCursor, pageSize, toPage, type Page, type PageArgs } from '../store/pagination';
import type { PubSub } from '../store/pubsub';
import type { TrainingAlgorithm, TrainingChoice } from './model-training';

/** The training settings stored beside a version's parameters (older versions lack referenceTime). */
export interface TrainingSettings {
  weights?: Record<string, number>;
  /** The half-life the model was fitted with (chosen on the hold-out when there was a choice). */
  halfLifeDays?: number;
  /** Each family and half-life tried, with its hold-out NDCG@10 (versions trained before the choice have none). */
  choices?: TrainingChoice[];
  referenceTime?: string;
}

export function trainingSettings(version: ModelVersion): TrainingSettings {
  return (version.params.training ?? {}) as TrainingSettings;
}

/**
 * Most of a shopper's latest events a model scores from: a heavy MovieLens rater has ~2,000 of them in
 * bench:movielens-api, and reading 5,000 rows by (user_id, occurred_at) is one short index scan.
 */
const MODEL_HISTORY_EVENTS = 5000;

/** A models cursor's key: the version's training time (ms) and id. */
const MODEL_CURSOR_KEY = z.string().regex(/^[0-9]{1,15}\|[A-Za-z0-9_-]{1,128}$/);

export interface TrainingConfig {
  /** The family trained by default, or `auto` (chosen per training, see AUTO_FAMILIES). */
  algorithm: TrainingAlgorithm;
  weights: Record<string, number>;
  /** A half-life in days (0 = no decay), or `auto`: chosen per training among HALF_LIFE_OPTIONS. */
  halfLifeDays: number | 'auto';
  maxUsers: number;
  /** Most users held out for evaluation. */
  evalUsers: number;
  tolerance: number;
}

export class ModelService {
  constructor(
    private readonly store: ModelStore,
    private readonly pubsub: PubSub,
    /** Weights and decay for versions that recorded none of their own. */
    private readonly config: Pick<TrainingConfig, 'weights' | 'halfLifeDays'>,
  ) {}

  /**
   * A shopper's history as `version` was trained to see it: its event weights and decay, ages counted from its
   * reference time. A model scores these weights, so they must be the training's, not the serving instance's
   * configuration (which may have changed since).
   */
  async history(userId: string, version: ModelVersion): Promise<Array<{ item: string; weight: number; lastAt: number }>> {
    const training = trainingSettings(version);
    return this.store.history(userId, {
      weights: training.weights ?? this.config.weights,
      halfLifeDays: training.halfLifeDays ?? (this.config.halfLifeDays === 'auto' ? 0 : this.config.halfLifeDays),
      referenceTime: new Date(training.referenceTime ?? version.trainedAt),
      maxEvents: MODEL_HISTORY_EVENTS,
    });
  }

  run(id: string): Promise<TrainingRun | null> {
    return this.store.run(id);
  }

  active(): Promise<ModelVersion | null> {
    return this.store.active();
  }

  version(id: string): Promise<ModelVersion | null> {
    return this.store.version(id);
  }

  async list(args: PageArgs): Promise<Page<ModelVersion>> {
    const size = pageSize(args.first);
    let before: { trainedAt: Date; id: string } | undefined;
    if (args.after) {
      const [ms, id] = decodeCursor(args.after, 'model', MODEL_CURSOR_KEY).split('|');
      before = { trainedAt: new Date(Number(ms)), id: id ?? '' };
    }
    const rows = await this.store.list({ limit: size + 1, before });
    return toPage(rows, size, 'model', (node) => `${node.trainedAt.getTime()}|${node.id}`);
  }

  /** Every newly trained version, as it is saved. */
  liveTrained(): EventStream<ModelVersion> {
    return new EventStream({
      pubsub: this.pubsub,
      topic: topics.modelTrained(),
      map: async (message) => (await this.store.version((JSON.parse(message) as { id: string }).id)) ?? undefined,
    });
  }
}

