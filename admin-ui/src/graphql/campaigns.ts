import { gql, type TypedDocumentNode } from '@apollo/client';

export type CampaignStatus = 'DRAFT' | 'ACTIVE' | 'PAUSED' | 'ENDED';

export interface Kpis {
  campaignId: string;
  impressions: number;
  clicks: number;
  ctr: number;
  addToCarts: number;
  conversions: number;
  conversionRate: number;
  revenue: number;
  updatedAt: string;
}

export interface KpiPoint {
  at: string;
  impressions: number;
  clicks: number;
  ctr: number;
  conversions: number;
  revenue: number;
}

export interface Campaign {
  id: string;
  name: string;
  status: CampaignStatus;
  startsAt: string;
  endsAt: string;
  budget: number;
  attributionWindowHours: number;
  productIds: string[];
  kpis: Kpis;
}

const KPIS = gql`
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
`;

const CAMPAIGN = gql`
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
  ${KPIS}
`;

export type CampaignRow = Pick<Campaign, 'id' | 'name' | 'status' | 'startsAt' | 'endsAt' | 'budget'> & {
  kpis: Pick<Kpis, 'campaignId' | 'impressions' | 'clicks' | 'ctr' | 'conversions' | 'revenue'>;
};

/**
 * The list, inline and with the fields it shows only: the server's query cost limit (GRAPHQL_MAX_COST, 5000 by
 * default) multiplies a page's fields by `first`, and counts fragment spreads as one more level of depth.
 */
export const CAMPAIGNS: TypedDocumentNode<{ campaigns: { edges: Array<{ node: CampaignRow }> } }> = gql`
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
`;

export const CAMPAIGN_PAGE: TypedDocumentNode<
  { campaign: (Campaign & { series: KpiPoint[] }) | null },
  { id: string; from: string; to: string }
> = gql`
  query CampaignPage($id: ID!, $from: DateTime!, $to: DateTime!) {
    campaign(id: $id) {
      ...CampaignFields
      series(from: $from, to: $to, bucket: MINUTE) {
        at
        impressions
        clicks
        ctr
        conversions
        revenue
      }
    }
  }
  ${CAMPAIGN}
`;

export const CAMPAIGN_KPIS_UPDATED: TypedDocumentNode<{ campaignKpisUpdated: Kpis }, { id: string }> = gql`
  subscription CampaignKpisUpdated($id: ID!) {
    campaignKpisUpdated(campaignId: $id) {
      ...Kpis
    }
  }
  ${KPIS}
`;

export interface CampaignInput {
  name: string;
  startsAt: string;
  endsAt: string;
  budget: number;
  attributionWindowHours: number;
  productIds: string[];
}

export const CREATE_CAMPAIGN: TypedDocumentNode<{ createCampaign: Campaign }, { input: CampaignInput }> = gql`
  mutation CreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      ...CampaignFields
    }
  }
  ${CAMPAIGN}
`;

export const UPDATE_CAMPAIGN: TypedDocumentNode<{ updateCampaign: Campaign }, { id: string; input: CampaignInput }> = gql`
  mutation UpdateCampaign($id: ID!, $input: UpdateCampaignInput!) {
    updateCampaign(id: $id, input: $input) {
      ...CampaignFields
    }
  }
  ${CAMPAIGN}
`;

export const SET_CAMPAIGN_STATUS: TypedDocumentNode<{ setCampaignStatus: Campaign }, { id: string; status: CampaignStatus }> = gql`
  mutation SetCampaignStatus($id: ID!, $status: CampaignStatus!) {
    setCampaignStatus(id: $id, status: $status) {
      ...CampaignFields
    }
  }
  ${CAMPAIGN}
`;
