// One product, as the pages that name products link to it. Types from GraphQL Codegen (npm run codegen).
import { graphql } from '../gql';

export const PRODUCT_PAGE = graphql(`
  query ProductPage($id: ID!) {
    product(id: $id) {
      id
      name
      category
      price
      currency
      stock
      lowStockThreshold
      updatedAt
      stockMovements(first: 20) {
        edges {
          node {
            id
            kind
            delta
            resultingStock
            reason
            actor
            createdAt
          }
        }
      }
    }
  }
`);
