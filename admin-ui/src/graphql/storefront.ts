import { gql, type TypedDocumentNode } from '@apollo/client';

export interface ShopProduct {
  id: string;
  name: string;
  category: string;
  price: number;
  stock: number;
}

export interface RecommendationList {
  id: string;
  userId: string;
  model: string;
  variant: string | null;
  generatedAt: string;
  items: Array<{ score: number; reason: string; product: ShopProduct }>;
}

const PRODUCT = gql`
  fragment ShopProduct on Product {
    id
    name
    category
    price
    stock
  }
`;

export const PRODUCTS: TypedDocumentNode<
  { products: { edges: Array<{ node: ShopProduct }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } },
  { after: string | null; category: string | null }
> = gql`
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
`;

export const RECOMMENDATIONS_UPDATED: TypedDocumentNode<{ recommendationsUpdated: RecommendationList }, { userId: string }> = gql`
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
  ${PRODUCT}
`;

export type ShopperAction = 'VIEW' | 'CLICK' | 'ADD_TO_CART' | 'PURCHASE';

export interface EventInput {
  id: string;
  type: ShopperAction;
  userId: string;
  sessionId: string;
  productId: string;
  recommendationId?: string;
}

export const RECORD_EVENT: TypedDocumentNode<{ recordEvent: { accepted: number; duplicates: number } }, { event: EventInput }> = gql`
  mutation RecordEvent($event: EventInput!) {
    recordEvent(event: $event) {
      accepted
      duplicates
    }
  }
`;
