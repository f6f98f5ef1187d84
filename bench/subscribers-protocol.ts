// The IPC messages between bench/subscribers.ts and its subscriber processes (bench/subscribers-client.ts).

export type SubscriberKind = 'kpi' | 'recs';

/** One subscriber: `key` is the campaign id (kpi) or the user id (recs); `token` is that subscriber's bearer token. */
export interface SubscriberSpec {
  kind: SubscriberKind;
  key: string;
  token: string;
}

export type ChildMessage =
  | { type: 'open'; url: string; specs: SubscriberSpec[] }
  | { type: 'counts' }
  /** Time the pushes that show the campaign's impressions at `target` or more (wall-clock ms, to compare across processes). */
  | { type: 'watch'; campaignId: string; target: number }
  | { type: 'report' }
  | { type: 'close' };

export type ChildReport =
  | { type: 'ready' }
  | { type: 'opened'; ok: number; failed: number; ms: number }
  /** Pushes after each subscriber's first, and of those the ones equal to the subscriber's previous payload. */
  | { type: 'counts'; pushes: Record<SubscriberKind, number>; duplicates: Record<SubscriberKind, number>; open: number; closed: number; errors: number }
  | { type: 'arrived'; target: number; arrivals: number[] };
