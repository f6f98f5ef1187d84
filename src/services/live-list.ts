// A live recommendation list's state between pushes (recommendationsUpdated): the cart read last, the newest
// announced user state, and whether the first list went out. One object per subscription, fed by the messages on
// the user's topic (RecommendationService.live), read by each computation through a snapshot (LiveRead).
import type { UserChange } from '../store/announcements';
import { USER_CHANGED } from '../store/keys';
import type { WeightedHistory } from './model-blend';

export type Cart = Array<{ productId: string; quantity: number }>;

/**
 * How long a live list reuses the history a model scores (the shopper's weighted events, one Postgres query whose
 * rows grow with the shopper's history) and the model's scores of it, before reading and scoring again. The model
 * stands for the shopper's lasting taste; what they did since is in the real-time part of every push (recent
 * items, cart, exclusions, all current). Done on every push, the query and the scoring were most of a push's cost
 * once a model was active (soak at 500 events/s: list pushes per minute fell from ≈ 24,000 to 9,000–13,000 once
 * the first model was trained; with the history reused but scored on every push, the API's loop saturated).
 */
export const LIVE_MODEL_HISTORY_MS = 60_000;

/** What the model contributes to a list: the history it scored and its candidates (product → weighted score). */
export interface ModelPart {
  history: WeightedHistory[];
  candidates: Map<string, number>;
}

export const NO_MODEL_PART: ModelPart = { history: [], candidates: new Map() };

/** What one computation of a live list reads of its state (a snapshot: the state moves on meanwhile). */
export interface LiveRead {
  /** The user's cart: read again only when the user's last events may have changed it. */
  cart(): Promise<Cart>;
  /**
   * Whether the list was delivered once already: later lists filter with the feature store's exclusion sets and
   * the in-process stock and catalog (ProductCache), with no Postgres round trip. They are computed after the
   * worker applied the user's events, when those sets are current; the first one, computed at any time, is
   * filtered by Postgres, which knows each event from its commit on.
   */
  fromCache: boolean;
  /** The user's state as the worker announced it with the news (a list after the first reads no user state of its
   * own when it has one). */
  announced?: UserChange;
  /** The model's part for model version `versionId`: `read` once per LIVE_MODEL_HISTORY_MS and version. */
  modelPart(versionId: string, read: () => Promise<ModelPart>): Promise<ModelPart>;
}

export class LiveListState {
  private cartRead?: Promise<Cart>;
  /** Version (Redis clock) of the newest announcement taken: an older one arriving late brings no state. */
  private newest = 0;
  private announced?: UserChange;
  private delivered = false;
  private model?: { versionId: string; at: number; read: Promise<ModelPart> };

  constructor(
    private readonly readCart: () => Promise<Cart>,
    /** The clock the model's part ages by (tests drive their own). */
    private readonly now: () => number = Date.now,
  ) {}

  /** The next computation's view; it takes the announced state (each announcement serves one list). */
  next(): LiveRead {
    const announced = this.delivered ? this.announced : undefined;
    if (this.delivered) this.announced = undefined;
    return { cart: () => this.cart(), fromCache: this.delivered, announced, modelPart: (versionId, read) => this.modelPart(versionId, read) };
  }

  /** A list went out: the next ones may be computed from the caches. */
  listDelivered(): void {
    this.delivered = true;
  }

  /**
   * A message on the user's topic: a UserChange (or a bare USER_CHANGED notice, with no state). Returns whether the
   * list must be computed again. The cart changes only with the user's own cart events, and the workers say when a
   * user's events included one: other pushes reuse the cart read last time (a Postgres round trip saved on most).
   */
  onUserMessage(change: UserChange | null, message: string): boolean {
    if (!change) {
      // A notice: the next list reads the user's state itself.
      if (message !== USER_CHANGED.events) this.cartRead = undefined;
      this.announced = undefined;
      return true;
    }
    if (change.cart) this.cartRead = undefined;
    const version = Number(change.v);
    // Older than one taken already (two workers, messages crossing): only its cart news counts.
    if (version < this.newest) return change.cart;
    this.newest = version;
    this.announced = change;
    return true;
  }

  /** Announcements were missed (the subscription connection was lost): the next list reads everything again, as
   * the first one did. */
  reset(): void {
    this.cartRead = undefined;
    this.announced = undefined;
    this.delivered = false;
    this.model = undefined;
  }

  private modelPart(versionId: string, read: () => Promise<ModelPart>): Promise<ModelPart> {
    const now = this.now();
    const kept = this.model;
    if (kept && kept.versionId === versionId && now - kept.at < LIVE_MODEL_HISTORY_MS) return kept.read;
    const next = { versionId, at: now, read: read() };
    this.model = next;
    next.read.catch(() => {
      if (this.model === next) this.model = undefined;
    });
    return next.read;
  }

  private cart(): Promise<Cart> {
    const read = (this.cartRead ??= this.readCart());
    read.catch(() => {
      if (this.cartRead === read) this.cartRead = undefined;
    });
    return read;
  }
}
