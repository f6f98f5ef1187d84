// Figures the MovieLens 100k benchmark compares with, copied from shared/data/ml-100k/PROTOCOL.md: the
// Microsoft Recommenders README's algorithm comparison (k = 10), its notebook's latest SAR run, and most-popular.

export interface PublishedRow {
  algorithm: string;
  map: number;
  ndcg: number;
  precision: number;
  recall: number;
}

export const PUBLISHED: readonly PublishedRow[] = [
  { algorithm: 'ALS (Spark, explicit)', map: 0.004732, ndcg: 0.044239, precision: 0.048462, recall: 0.017796 },
  { algorithm: 'BiVAE', map: 0.146126, ndcg: 0.475077, precision: 0.411771, recall: 0.219145 },
  { algorithm: 'BPR', map: 0.132478, ndcg: 0.441997, precision: 0.388229, recall: 0.212522 },
  { algorithm: 'embdotbias', map: 0.018954, ndcg: 0.11781, precision: 0.104242, recall: 0.04245 },
  { algorithm: 'LightGCN', map: 0.088526, ndcg: 0.419846, precision: 0.379626, recall: 0.144336 },
  { algorithm: 'NCF', map: 0.10772, ndcg: 0.396118, precision: 0.347296, recall: 0.180775 },
  { algorithm: 'SAR', map: 0.110591, ndcg: 0.382461, precision: 0.330753, recall: 0.176385 },
  { algorithm: 'SVD', map: 0.012873, ndcg: 0.09593, precision: 0.091198, recall: 0.032783 },
];

/** The notebook's 2025 SAR run: what a faithful SAR (Jaccard, 30-day half-life) gives on the split. */
export const SAR_REFERENCE: PublishedRow = { algorithm: 'SAR (notebook, 2025)', map: 0.114038, ndcg: 0.393819, precision: 0.340615, recall: 0.185377 };

/** Most popular items, on the same split. */
export const MOST_POPULAR_REFERENCE: PublishedRow = { algorithm: 'most popular', map: 0.055959, ndcg: 0.252353, precision: 0.228738, recall: 0.113188 };

export const BEST_PUBLISHED = PUBLISHED.reduce((a, b) => (b.ndcg > a.ndcg ? b : a));

export const f6 = (x: number) => x.toFixed(6);

/** A Markdown row: name, MAP, NDCG@10, precision@10, recall@10, then any extra columns. */
export const metricsRow = (name: string, m: Pick<PublishedRow, 'map' | 'ndcg' | 'precision' | 'recall'>, extra: string[] = []) =>
  `| ${[name, f6(m.map), f6(m.ndcg), f6(m.precision), f6(m.recall), ...extra].join(' | ')} |`;
