import { gql, type TypedDocumentNode } from '@apollo/client';

export interface SalesMetrics {
  from: string;
  to: string;
  orders: number;
  units: number;
  revenue: number;
  averageOrderValue: number;
  series: Array<{ at: string; orders: number; units: number; revenue: number }>;
  topProducts: Array<{ units: number; revenue: number; product: { id: string; name: string; category: string; stock: number } }>;
}

export const SALES_METRICS_UPDATED: TypedDocumentNode<{ salesMetricsUpdated: SalesMetrics }, { windowMinutes: number }> = gql`
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
`;
