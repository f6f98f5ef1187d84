// Sales operations. Their types come from GraphQL Codegen (npm run codegen, admin-ui/src/gql).
import { graphql } from '../gql';
import type { SalesFieldsFragment } from '../gql/graphql';

export type SalesMetrics = SalesFieldsFragment;

// Fragments: an operation that spreads one carries its definition (the generated documents include it).
graphql(`
  fragment SalesFields on SalesMetrics {
    from
    to
    orders
    units
    revenue
    averageOrderValue
    series {
      at
      orders
      units
      revenue
    }
    topProducts {
      units
      revenue
      product {
        id
        name
        category
        stock
      }
    }
  }
`);

/** A rolling window of minutes ending now, pushed live (the server keeps at most 1,440 minutes live). */
export const SALES_METRICS_UPDATED = graphql(`
  subscription SalesMetricsUpdated($windowMinutes: Int!) {
    salesMetricsUpdated(windowMinutes: $windowMinutes) {
      ...SalesFields
    }
  }
`);

/** Any range, per minute or hour, read (and re-read every minute while it ends now). */
export const SALES_METRICS = graphql(`
  query SalesMetrics($from: DateTime!, $to: DateTime!, $bucket: KpiBucket!) {
    salesMetrics(from: $from, to: $to, bucket: $bucket) {
      ...SalesFields
    }
  }
`);

/**
 * Purchases that asked for more than the stock held: the stock stops at 0 and the uncovered units are the
 * OUT_OF_STOCK alert's shortfall, yet the purchase counts in full in units and revenue. The latest 100 such alerts,
 * to mark best sellers that sold beyond their stock.
 */
export const SALES_SHORTFALLS = graphql(`
  query SalesShortfalls {
    inventoryAlerts(first: 100, kind: OUT_OF_STOCK) {
      edges {
        node {
          id
          shortfall
          createdAt
          product {
            id
          }
        }
      }
    }
  }
`);
