import { gql, type TypedDocumentNode } from '@apollo/client';

export interface ModelVersion {
  id: string;
  algorithm: string;
  /** The family's parameters; an ensemble's hold its parts and their weights. */
  params: unknown;
  status: 'CANDIDATE' | 'ACTIVE' | 'REJECTED' | 'RETIRED';
  trainedAt: string;
  trainingEvents: number;
  durationMs: number;
  /** Days (0 = no decay); null for versions trained before the platform recorded it. */
  halfLifeDays: number | null;
  choices: Array<{ algorithm: string; halfLifeDays: number; ndcgAt10: number; parts: Array<{ algorithm: string; weight: number }> | null }>;
  metrics: {
    precisionAt10: number;
    recallAt10: number;
    ndcgAt10: number;
    map: number;
    users: number;
    baselineNdcgAt10: number | null;
  };
}

export interface TrainingRun {
  id: string;
  algorithm: string;
  trigger: string;
  status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  model: { id: string; status: ModelVersion['status']; metrics: { ndcgAt10: number } } | null;
}

export interface ExperimentResults {
  experiment: { id: string; createdAt: string };
  variants: Array<{
    name: string;
    model: string;
    weight: number;
    listsServed: number;
    clicks: number;
    clickThroughRate: number;
    purchases: number;
    revenue: number;
    pValue: number | null;
  }>;
}

const VERSION = gql`
  fragment Version on ModelVersion {
    id
    algorithm
    params
    status
    trainedAt
    trainingEvents
    durationMs
    halfLifeDays
    choices {
      algorithm
      halfLifeDays
      ndcgAt10
      parts {
        algorithm
        weight
      }
    }
    metrics {
      precisionAt10
      recallAt10
      ndcgAt10
      map
      users
      baselineNdcgAt10
    }
  }
`;

export const MODELS: TypedDocumentNode<{ models: { edges: Array<{ node: ModelVersion }> }; activeModel: { id: string } | null }> = gql`
  query Models {
    models(first: 20) {
      edges {
        node {
          ...Version
        }
      }
    }
    activeModel {
      id
    }
  }
  ${VERSION}
`;

export const EXPERIMENT_RESULTS: TypedDocumentNode<{ experimentResults: ExperimentResults | null }> = gql`
  query ExperimentResults {
    experimentResults {
      experiment {
        id
        createdAt
      }
      variants {
        name
        model
        weight
        listsServed
        clicks
        clickThroughRate
        purchases
        revenue
        pValue
      }
    }
  }
`;

const RUN = gql`
  fragment Run on TrainingRun {
    id
    algorithm
    trigger
    status
    requestedAt
    startedAt
    finishedAt
    error
    model {
      id
      status
      metrics {
        ndcgAt10
      }
    }
  }
`;

export const RETRAIN: TypedDocumentNode<{ retrainModel: TrainingRun }, { algorithm: string }> = gql`
  mutation Retrain($algorithm: String) {
    retrainModel(algorithm: $algorithm) {
      ...Run
    }
  }
  ${RUN}
`;

export const TRAINING_RUN: TypedDocumentNode<{ trainingRun: TrainingRun | null }, { id: string }> = gql`
  query TrainingRun($id: ID!) {
    trainingRun(id: $id) {
      ...Run
    }
  }
  ${RUN}
`;

export const MODEL_TRAINED: TypedDocumentNode<{ modelTrained: ModelVersion }> = gql`
  subscription ModelTrained {
    modelTrained {
      ...Version
    }
  }
  ${VERSION}
`;
