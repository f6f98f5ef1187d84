import { gql, type TypedDocumentNode } from '@apollo/client';

export type AlertKind = 'LOW_STOCK' | 'OUT_OF_STOCK' | 'BACK_IN_STOCK';

export interface StockProduct {
  id: string;
  name: string;
  category: string;
  stock: number;
  lowStockThreshold: number;
}

export interface InventoryAlert {
  id: string;
  kind: AlertKind;
  stock: number;
  threshold: number;
  shortfall: number;
  createdAt: string;
  product: StockProduct;
}

const PRODUCT = gql`
  fragment StockProduct on Product {
    id
    name
    category
    stock
    lowStockThreshold
  }
`;

const ALERT = gql`
  fragment Alert on InventoryAlert {
    id
    kind
    stock
    threshold
    shortfall
    createdAt
    product {
      ...StockProduct
    }
  }
  ${PRODUCT}
`;

/** Page sizes and inline fields keep this within the server's query cost limit (see CAMPAIGNS). */
export const LOW_STOCK_PAGE = 50;

export const INVENTORY: TypedDocumentNode<{
  inventoryAlerts: { edges: Array<{ node: InventoryAlert }> };
  lowStockProducts: { edges: Array<{ node: StockProduct }>; pageInfo: { hasNextPage: boolean } };
}> = gql`
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
`;

export const LOW_STOCK_ALERT: TypedDocumentNode<{ lowStockAlert: InventoryAlert }> = gql`
  subscription LowStockAlert {
    lowStockAlert {
      ...Alert
    }
  }
  ${ALERT}
`;

export const SET_STOCK: TypedDocumentNode<{ setStock: StockProduct }, { productId: string; stock: number }> = gql`
  mutation SetStock($productId: ID!, $stock: Int!) {
    setStock(productId: $productId, stock: $stock) {
      ...StockProduct
    }
  }
  ${PRODUCT}
`;
