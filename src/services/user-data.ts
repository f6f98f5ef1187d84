// What the platform holds about one shopper, as one JSON document (issue 23: GDPR arts. 15 and 20, CCPA, LGPD):
// their events, cart, the stock their purchases took, the campaigns they touched, their A/B variant, what the feature
// store keeps of them and whether the active model was trained on their events. Streamed: the events, which grow
// without bound, are read and written a page at a time. The fields are documented in the README ("Shopper data").
import type { FeatureStore } from '../store/feature-store';
import type { UserDataStore } from '../store/user-data';
import { externalId } from './catalog';
import { assignVariant } from './experiments';
import { dataCutoff } from './model-blend';
import type { ModelServing } from './model-serving';
import { parseInput } from './validation';

/** The export's format version: a field removed or changed in meaning makes a new one. */
export const USER_EXPORT_FORMAT = 1;

export class UserDataService {
  constructor(
    private readonly store: UserDataStore,
    private readonly features: FeatureStore,
    private readonly serving: ModelServing,
  ) {}

  /** The user's id, checked as every id the API takes (a clear error naming the field). */
  userId(raw: unknown): string {
    return parseInput(externalId, raw, 'userId');
  }

  /** The document, in pieces of JSON text that join into one object. */
  async *exportDocument(userId: string, now = new Date()): AsyncGenerator<string> {
    const [cart, stockMovements, campaigns, state, experiment, active] = await Promise.all([
      this.store.cart(userId),
      this.store.stockMovements(userId),
      this.store.campaigns(userId),
      this.features.userState(userId, Number.MAX_SAFE_INTEGER),
      this.serving.currentExperiment(),
      this.serving.activeModel(),
    ]);
    const head = {
      format: USER_EXPORT_FORMAT,
      userId,
      exportedAt: now.toISOString(),
      cart,
      stockMovements,
      campaigns,
      experiment: experiment ? { experimentId: experiment.id, variant: assignVariant(experiment, userId).name } : null,
      features: {
        recentItems: state.recent,
        categoryAffinity: Object.fromEntries(state.affinity),
        interactedProducts: [...(state.seen ?? [])].sort(),
        purchasedProducts: [...(state.bought ?? [])].sort(),
      },
      model: active ? { modelId: active.version.id, algorithm: active.version.algorithm, trainedAt: active.version.trainedAt.toISOString(), dataUntil: new Date(dataCutoff(active.version)).toISOString() } : null,
    };
    // The head's fields, then the events as the last field: `{…,"events":[…]}`.
    yield `${JSON.stringify(head).slice(0, -1)},"events":[`;
    let after: bigint | null = null;
    let first = true;
    for (;;) {
      const page = await this.store.eventsPage(userId, after);
      for (const e of page.events) {
        yield `${first ? '' : ','}${JSON.stringify(e)}`;
        first = false;
      }
      if (page.lastSeq === null) break;
      after = page.lastSeq;
    }
    yield ']}';
  }
}
