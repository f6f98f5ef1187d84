// Storefront operations (the admin shopping as any user). Their types come from GraphQL Codegen (npm run codegen,
// admin-ui/src/gql).
import { graphql } from '../gql';
import type { EventType, ShopProductFragment } from '../gql/graphql';

export type ShopProduct = ShopProductFragment;
/** The events the storefront page lets the admin send. */
export type ShopperAction = Extract<EventType, 'VIEW' | 'CLICK' | 'ADD_TO_CART' | 'PURCHASE'>;

// Fragment: an operation that spreads it carries its definition (the generated documents include it).
graphql(`
  fragment ShopProduct on Product {
    id
    name
    category
    price
    stock
  }
`);

export const PRODUCTS = graphql(`
  query ShopProducts($after: String, $category: String) {
    products(first: 100, after: $after, category: $category) {
      edges {
        node {
          id
          name
          category
          price
          stock
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const RECOMMENDATIONS_UPDATED = graphql(`
  subscription RecommendationsUpdated($userId: ID!) {
    recommendationsUpdated(userId: $userId, limit: 8) {
      id
      userId
      model
      variant
      generatedAt
      items {
        score
        reason
        product {
          ...ShopProduct
        }
      }
    }
  }
`);

export const RECORD_EVENT = graphql(`
  mutation RecordEvent($event: EventInput!) {
    recordEvent(event: $event) {
      accepted
      duplicates
    }
  }
`);
