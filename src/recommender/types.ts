// The contract every recommender family implements, so that the training worker, the API and the benchmark
// treat SAR, EASE, ALS, BPR and item k-NN alike.

/** One implicit-feedback signal. Upstream maps event types to weights (purchase > add-to-cart > click > view). */
export interface Interaction {
  user: string;
  item: string;
  /** Non-negative strength; repeated (user, item) pairs add up. */
  weight: number;
  /** Milliseconds since the epoch; only used when a model applies time decay. */
  timestamp?: number;
}

/** What the API knows about a shopper at request time: items and weights, not a trained user index. */
export interface HistoryItem {
  item: string;
  weight: number;
  /** Milliseconds since the epoch; decayed like training data when the model was fitted with a half-life. */
  timestamp?: number;
}

export interface ScoredItem {
  item: string;
  score: number;
}

export interface ScoreOptions {
  /** How many items to return. @default 10 */
  limit?: number;
  /** Items never to return (out of stock, already purchased, ...). */
  exclude?: ReadonlySet<string>;
  /** Leave out the items in the history itself. @default true */
  excludeHistory?: boolean;
  /** "Now" for decaying timestamped history, in ms. @default the reference time the model was fitted with */
  now?: number;
}

/**
 * Sparse user×item matrix in CSR form: row u holds columns indices[indptr[u]..indptr[u+1]) in ascending order
 * with their weights. Ids map to row/column numbers through users/items and the lookup maps.
 */
export interface InteractionMatrix {
  readonly users: readonly string[];
  readonly items: readonly string[];
  readonly userIndex: ReadonlyMap<string, number>;
  readonly itemIndex: ReadonlyMap<string, number>;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
  /** Set when weights were time-decayed while building, so that scoring can decay fresh history the same way. */
  readonly decay?: TimeDecay;
}

export interface TimeDecay {
  halfLifeDays: number;
  /** The "now" that training weights were decayed to, in ms. */
  referenceTime: number;
}

export type TrainingData = InteractionMatrix | readonly Interaction[];

export type AlgorithmName = 'sar' | 'ease' | 'als' | 'bpr' | 'itemknn' | 'ensemble';

export interface RecommenderModel {
  readonly algorithm: AlgorithmName;
  /** Hyper-parameters with defaults filled in. */
  readonly params: Readonly<object>;
  /** The catalogue the model can score: items seen in training. */
  readonly items: readonly string[];
  /** Trains from scratch; replaces whatever the model held before. */
  fit(data: TrainingData): this;
  /** Best items for a user described by their history; items unknown to the model are ignored. */
  scoreUser(history: readonly HistoryItem[], opts?: ScoreOptions): ScoredItem[];
  /** A self-describing snapshot that `loadModel` turns back into an identical model. */
  serialize(): Uint8Array;
}
