// Model registry, training and experiment operations. Their types come from GraphQL Codegen (npm run codegen,
// admin-ui/src/gql).
import { graphql } from '../gql';
import type { ExperimentResultsQuery, RunFragment, VersionFragment } from '../gql/graphql';

/** `params` is the family's parameters (an ensemble's hold its parts and their weights); `halfLifeDays` is null for versions trained before the platform recorded it. */
export type ModelVersion = VersionFragment;
export type TrainingRun = RunFragment;
export type ExperimentResults = NonNullable<ExperimentResultsQuery['experimentResults']>;

// Fragments: an operation that spreads one carries its definition (the generated documents include it).
graphql(`
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
`);

graphql(`
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
`);

export const MODELS = graphql(`
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
`);

export const EXPERIMENT_RESULTS = graphql(`
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
`);

export const RETRAIN = graphql(`
  mutation Retrain($algorithm: String) {
    retrainModel(algorithm: $algorithm) {
      ...Run
    }
  }
`);

export const TRAINING_RUN = graphql(`
  query TrainingRun($id: ID!) {
    trainingRun(id: $id) {
      ...Run
    }
  }
`);

export const MODEL_TRAINED = graphql(`
  subscription ModelTrained {
    modelTrained {
      ...Version
    }
  }
`);

/** Replaces the experiment in force: users are split again and its results count from zero. */
export const CONFIGURE_EXPERIMENT = graphql(`
  mutation ConfigureExperiment($variants: [VariantInput!]!) {
    configureExperiment(variants: $variants) {
      id
      createdAt
      variants {
        name
        weight
        model
      }
    }
  }
`);
