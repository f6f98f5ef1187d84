// Campaign operations. Their types come from GraphQL Codegen (npm run codegen, admin-ui/src/gql).
import { graphql } from '../gql';
import type { CampaignFieldsFragment, CampaignPageQuery, CampaignStatus, CreateCampaignInput, KpisFragment } from '../gql/graphql';

export type { CampaignStatus };
export type Kpis = KpisFragment;
export type KpiPoint = NonNullable<CampaignPageQuery['campaign']>['series'][number];
export type Campaign = CampaignFieldsFragment;
/** What the form sends; createCampaign and updateCampaign take the same fields. */
export type CampaignInput = CreateCampaignInput;

// Fragments: an operation that spreads one carries its definition (the generated documents include it).
graphql(`
  fragment Kpis on CampaignKpis {
    campaignId
    impressions
    clicks
    ctr
    addToCarts
    conversions
    conversionRate
    revenue
    updatedAt
  }
`);

graphql(`
  fragment CampaignFields on Campaign {
    id
    name
    status
    startsAt
    endsAt
    budget
    attributionWindowHours
    productIds
    kpis {
      ...Kpis
    }
  }
`);

/**
 * The list, inline and with the fields it shows only: the server's query cost limit (GRAPHQL_MAX_COST, 5000 by
 * default) multiplies a page's fields by `first`, and counts fragment spreads as one more level of depth.
 */
export const CAMPAIGNS = graphql(`
  query Campaigns {
    campaigns(first: 50) {
      edges {
        node {
          id
          name
          status
          startsAt
          endsAt
          budget
          kpis {
            campaignId
            impressions
            clicks
            ctr
            conversions
            revenue
          }
        }
      }
    }
  }
`);

export const CAMPAIGN_PAGE = graphql(`
  query CampaignPage($id: ID!, $from: DateTime!, $to: DateTime!, $bucket: KpiBucket!) {
    campaign(id: $id) {
      ...CampaignFields
      products {
        id
        name
        category
        stock
      }
      series(from: $from, to: $to, bucket: $bucket) {
        at
        impressions
        clicks
        ctr
        conversions
        revenue
      }
    }
  }
`);

export const CAMPAIGN_KPIS_UPDATED = graphql(`
  subscription CampaignKpisUpdated($id: ID!) {
    campaignKpisUpdated(campaignId: $id) {
      ...Kpis
    }
  }
`);

export const CREATE_CAMPAIGN = graphql(`
  mutation CreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      ...CampaignFields
    }
  }
`);

export const UPDATE_CAMPAIGN = graphql(`
  mutation UpdateCampaign($id: ID!, $input: UpdateCampaignInput!) {
    updateCampaign(id: $id, input: $input) {
      ...CampaignFields
    }
  }
`);

export const SET_CAMPAIGN_STATUS = graphql(`
  mutation SetCampaignStatus($id: ID!, $status: CampaignStatus!) {
    setCampaignStatus(id: $id, status: $status) {
      ...CampaignFields
    }
  }
`);
