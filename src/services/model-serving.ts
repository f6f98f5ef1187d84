// The models an API instance serves recommendations from, kept in memory and switched on a `models` message.
import { loadModel } from '../recommender';
import type { RecommenderModel } from '../recommender/types';
import { topics } from '../store/keys';
import type { Experiment, ModelStore, ModelVersion } from '../store/models';
import type { PubSub } from '../store/pubsub';

/**
 * The models an API instance serves from, kept in memory. It switches when a `models` message says the active
 * model or the experiment changed: the old model keeps answering until the new one is loaded, so no request fails.
 */
export class ModelServing {
  private active?: Promise<{ version: ModelVersion; model: RecommenderModel } | null>;
  private experiment?: Promise<Experiment | null>;
  private readonly byId = new Map<string, Promise<{ version: ModelVersion; model: RecommenderModel } | null>>();
  private unsubscribe?: () => Promise<void>;
  private generation = 0;

  constructor(
    private readonly store: ModelStore,
    private readonly pubsub: PubSub,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.pubsub.subscribe(topics.models(), () => void this.refresh());
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  /** Reloads the active model and the experiment; resolves once both are swapped in (or kept, on failure). */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const next = this.loadActive();
    const exp = this.store.currentExperiment();
    // Swap only once loaded, so requests meanwhile use the previous model; and never let a slower, older
    // reload overwrite what a newer one already swapped in.
    const swap = (apply: () => void) => () => void (generation === this.generation && apply());
    await Promise.all([
      next.then(swap(() => (this.active = next))).catch(() => undefined),
      exp.then(swap(() => (this.experiment = exp))).catch(() => undefined),
    ]);
  }

  private async loadActive(): Promise<{ version: ModelVersion; model: RecommenderModel } | null> {
    const version = await this.store.active();
    return version ? this.load(version) : null;
  }

  private async load(version: ModelVersion): Promise<{ version: ModelVersion; model: RecommenderModel } | null> {
    const bytes = await this.store.artifact(version.id);
    return bytes ? { version, model: loadModel(bytes) } : null;
  }

  // A look-up that failed (Postgres away a moment) is forgotten, not cached: the next request tries again, where a
  // kept rejection would fail every recommendation until the next models message (issue 20).
  activeModel(): Promise<{ version: ModelVersion; model: RecommenderModel } | null> {
    if (!this.active) {
      const p = this.loadActive();
      this.active = p;
      p.catch(() => void (this.active === p && (this.active = undefined)));
    }
    return this.active;
  }

  currentExperiment(): Promise<Experiment | null> {
    if (!this.experiment) {
      const p = this.store.currentExperiment();
      this.experiment = p;
      p.catch(() => void (this.experiment === p && (this.experiment = undefined)));
    }
    return this.experiment;
  }

  modelById(id: string): Promise<{ version: ModelVersion; model: RecommenderModel } | null> {
    let p = this.byId.get(id);
    if (!p) {
      const loading = this.store.version(id).then((v) => (v ? this.load(v) : null));
      if (this.byId.size > 8) this.byId.clear(); // a handful of variants at most; no need for an LRU
      this.byId.set(id, loading);
      loading.catch(() => void (this.byId.get(id) === loading && this.byId.delete(id)));
      p = loading;
    }
    return p;
  }
}
