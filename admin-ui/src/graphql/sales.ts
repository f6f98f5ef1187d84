// Sales operations. Their types come from GraphQL Codegen (npm run codegen, admin-ui/src/gql).
import { graphql } from '../gql';

export const SALES_METRICS_UPDATED = graphql(`
  subscription SalesMetricsUpdated($windowMinutes: Int!) {
    salesMetricsUpdated(windowMinutes: $windowMinutes) {
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
  }
`);
