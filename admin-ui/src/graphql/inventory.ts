// Inventory operations. Their types come from GraphQL Codegen (npm run codegen, admin-ui/src/gql).
import { graphql } from '../gql';
import type { AlertFragment, InventoryAlertKind, StockProductFragment } from '../gql/graphql';

export type AlertKind = InventoryAlertKind;
export type StockProduct = StockProductFragment;
export type InventoryAlert = AlertFragment;

// Fragments: an operation that spreads one carries its definition (the generated documents include it).
graphql(`
  fragment StockProduct on Product {
    id
    name
    category
    stock
    lowStockThreshold
  }
`);

graphql(`
  fragment Alert on InventoryAlert {
    id
    kind
    stock
    threshold
    shortfall
    createdAt
    resolvedAt
    product {
      ...StockProduct
    }
  }
`);

/** Page sizes and inline fields keep this within the server's query cost limit (see CAMPAIGNS). */
export const LOW_STOCK_PAGE = 50;

export const INVENTORY = graphql(`
  query Inventory {
    inventoryAlerts(first: 20) {
      edges {
        node {
          id
          kind
          stock
          threshold
          shortfall
          createdAt
          resolvedAt
          product {
            id
            name
            category
            stock
            lowStockThreshold
          }
        }
      }
    }
    lowStockProducts(first: 50) {
      edges {
        node {
          id
          name
          category
          stock
          lowStockThreshold
        }
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`);

export const LOW_STOCK_ALERT = graphql(`
  subscription LowStockAlert {
    lowStockAlert {
      ...Alert
    }
  }
`);

export const SET_STOCK = graphql(`
  mutation SetStock($productId: ID!, $stock: Int!) {
    setStock(productId: $productId, stock: $stock) {
      ...StockProduct
    }
  }
`);
