// Last-click attribution: a PURCHASE without campaignId is credited to the campaign the same user clicked most
// recently (at or before the purchase), among clicks still inside their own campaign's attribution window. The
// ingest statement applies the rule as it records the purchase (ATTRIBUTION in src/store/ingest-statement.ts), and the
// decision is stored on the event.

/** Longest window any campaign may have; bounds how far back clicks are looked up. */
export const MAX_ATTRIBUTION_WINDOW_HOURS = 24 * 90;
