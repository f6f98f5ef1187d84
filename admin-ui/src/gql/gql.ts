/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment Kpis on CampaignKpis {\n    campaignId\n    impressions\n    clicks\n    ctr\n    addToCarts\n    conversions\n    conversionRate\n    revenue\n    updatedAt\n  }\n": typeof types.KpisFragmentDoc,
    "\n  fragment CampaignFields on Campaign {\n    id\n    name\n    status\n    startsAt\n    endsAt\n    budget\n    attributionWindowHours\n    productIds\n    kpis {\n      ...Kpis\n    }\n  }\n": typeof types.CampaignFieldsFragmentDoc,
    "\n  query Campaigns {\n    campaigns(first: 50) {\n      edges {\n        node {\n          id\n          name\n          status\n          startsAt\n          endsAt\n          budget\n          kpis {\n            campaignId\n            impressions\n            clicks\n            ctr\n            conversions\n            revenue\n          }\n        }\n      }\n    }\n  }\n": typeof types.CampaignsDocument,
    "\n  query CampaignPage($id: ID!, $from: DateTime!, $to: DateTime!, $bucket: KpiBucket!) {\n    campaign(id: $id) {\n      ...CampaignFields\n      products {\n        id\n        name\n        category\n        stock\n      }\n      series(from: $from, to: $to, bucket: $bucket) {\n        at\n        impressions\n        clicks\n        ctr\n        conversions\n        revenue\n      }\n    }\n  }\n": typeof types.CampaignPageDocument,
    "\n  subscription CampaignKpisUpdated($id: ID!) {\n    campaignKpisUpdated(campaignId: $id) {\n      ...Kpis\n    }\n  }\n": typeof types.CampaignKpisUpdatedDocument,
    "\n  mutation CreateCampaign($input: CreateCampaignInput!) {\n    createCampaign(input: $input) {\n      ...CampaignFields\n    }\n  }\n": typeof types.CreateCampaignDocument,
    "\n  mutation UpdateCampaign($id: ID!, $input: UpdateCampaignInput!) {\n    updateCampaign(id: $id, input: $input) {\n      ...CampaignFields\n    }\n  }\n": typeof types.UpdateCampaignDocument,
    "\n  mutation SetCampaignStatus($id: ID!, $status: CampaignStatus!) {\n    setCampaignStatus(id: $id, status: $status) {\n      ...CampaignFields\n    }\n  }\n": typeof types.SetCampaignStatusDocument,
    "\n  fragment StockProduct on Product {\n    id\n    name\n    category\n    stock\n    lowStockThreshold\n  }\n": typeof types.StockProductFragmentDoc,
    "\n  fragment Alert on InventoryAlert {\n    id\n    kind\n    stock\n    threshold\n    shortfall\n    createdAt\n    resolvedAt\n    product {\n      ...StockProduct\n    }\n  }\n": typeof types.AlertFragmentDoc,
    "\n  query Inventory {\n    inventoryAlerts(first: 20) {\n      edges {\n        node {\n          id\n          kind\n          stock\n          threshold\n          shortfall\n          createdAt\n          resolvedAt\n          product {\n            id\n            name\n            category\n            stock\n            lowStockThreshold\n          }\n        }\n      }\n    }\n    lowStockProducts(first: 50) {\n      edges {\n        node {\n          id\n          name\n          category\n          stock\n          lowStockThreshold\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n": typeof types.InventoryDocument,
    "\n  subscription LowStockAlert {\n    lowStockAlert {\n      ...Alert\n    }\n  }\n": typeof types.LowStockAlertDocument,
    "\n  mutation SetStock($productId: ID!, $stock: Int!) {\n    setStock(productId: $productId, stock: $stock) {\n      ...StockProduct\n    }\n  }\n": typeof types.SetStockDocument,
    "\n  fragment Version on ModelVersion {\n    id\n    algorithm\n    params\n    status\n    trainedAt\n    trainingEvents\n    durationMs\n    halfLifeDays\n    choices {\n      algorithm\n      halfLifeDays\n      ndcgAt10\n      parts {\n        algorithm\n        weight\n      }\n    }\n    metrics {\n      precisionAt10\n      recallAt10\n      ndcgAt10\n      map\n      users\n      baselineNdcgAt10\n    }\n  }\n": typeof types.VersionFragmentDoc,
    "\n  fragment Run on TrainingRun {\n    id\n    algorithm\n    trigger\n    status\n    requestedAt\n    startedAt\n    finishedAt\n    error\n    model {\n      id\n      status\n      metrics {\n        ndcgAt10\n      }\n    }\n  }\n": typeof types.RunFragmentDoc,
    "\n  query Models {\n    models(first: 20) {\n      edges {\n        node {\n          ...Version\n        }\n      }\n    }\n    activeModel {\n      id\n    }\n  }\n": typeof types.ModelsDocument,
    "\n  query ExperimentResults {\n    experimentResults {\n      experiment {\n        id\n        createdAt\n      }\n      variants {\n        name\n        model\n        weight\n        listsServed\n        clicks\n        clickThroughRate\n        purchases\n        revenue\n        pValue\n      }\n    }\n  }\n": typeof types.ExperimentResultsDocument,
    "\n  mutation Retrain($algorithm: String) {\n    retrainModel(algorithm: $algorithm) {\n      ...Run\n    }\n  }\n": typeof types.RetrainDocument,
    "\n  query TrainingRun($id: ID!) {\n    trainingRun(id: $id) {\n      ...Run\n    }\n  }\n": typeof types.TrainingRunDocument,
    "\n  subscription ModelTrained {\n    modelTrained {\n      ...Version\n    }\n  }\n": typeof types.ModelTrainedDocument,
    "\n  mutation ConfigureExperiment($variants: [VariantInput!]!) {\n    configureExperiment(variants: $variants) {\n      id\n      createdAt\n      variants {\n        name\n        weight\n        model\n      }\n    }\n  }\n": typeof types.ConfigureExperimentDocument,
    "\n  query ProductPage($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      category\n      price\n      currency\n      stock\n      lowStockThreshold\n      updatedAt\n      stockMovements(first: 20) {\n        edges {\n          node {\n            id\n            kind\n            delta\n            resultingStock\n            reason\n            actor\n            createdAt\n          }\n        }\n      }\n    }\n  }\n": typeof types.ProductPageDocument,
    "\n  fragment SalesFields on SalesMetrics {\n    from\n    to\n    orders\n    units\n    revenue\n    averageOrderValue\n    series {\n      at\n      orders\n      units\n      revenue\n    }\n    topProducts {\n      units\n      revenue\n      product {\n        id\n        name\n        category\n        stock\n      }\n    }\n  }\n": typeof types.SalesFieldsFragmentDoc,
    "\n  subscription SalesMetricsUpdated($windowMinutes: Int!) {\n    salesMetricsUpdated(windowMinutes: $windowMinutes) {\n      ...SalesFields\n    }\n  }\n": typeof types.SalesMetricsUpdatedDocument,
    "\n  query SalesMetrics($from: DateTime!, $to: DateTime!, $bucket: KpiBucket!) {\n    salesMetrics(from: $from, to: $to, bucket: $bucket) {\n      ...SalesFields\n    }\n  }\n": typeof types.SalesMetricsDocument,
    "\n  query SalesShortfalls {\n    inventoryAlerts(first: 100, kind: OUT_OF_STOCK) {\n      edges {\n        node {\n          id\n          shortfall\n          createdAt\n          product {\n            id\n          }\n        }\n      }\n    }\n  }\n": typeof types.SalesShortfallsDocument,
    "\n  fragment ShopProduct on Product {\n    id\n    name\n    category\n    price\n    stock\n  }\n": typeof types.ShopProductFragmentDoc,
    "\n  query ShopProducts($after: String, $category: String) {\n    products(first: 100, after: $after, category: $category) {\n      edges {\n        node {\n          id\n          name\n          category\n          price\n          stock\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ShopProductsDocument,
    "\n  subscription RecommendationsUpdated($userId: ID!) {\n    recommendationsUpdated(userId: $userId, limit: 8) {\n      id\n      userId\n      model\n      variant\n      generatedAt\n      items {\n        score\n        reason\n        product {\n          ...ShopProduct\n        }\n      }\n    }\n  }\n": typeof types.RecommendationsUpdatedDocument,
    "\n  mutation RecordEvent($event: EventInput!) {\n    recordEvent(event: $event) {\n      accepted\n      duplicates\n    }\n  }\n": typeof types.RecordEventDocument,
    "\n  query SystemStatus {\n    systemStatus {\n      checkedAt\n      instance {\n        role\n        uptimeSeconds\n      }\n      dependencies {\n        name\n        ok\n        latencyMs\n        error\n      }\n      outboxPending\n      queues {\n        name\n        health\n        waiting\n        active\n        delayed\n        failed\n        completed\n        workers {\n          name\n          address\n          ageSeconds\n          idleSeconds\n        }\n      }\n      featureStore {\n        health\n        lastRebuild {\n          reason\n          startedAt\n          finishedAt\n          replayedJobs\n          events\n        }\n      }\n    }\n  }\n": typeof types.SystemStatusDocument,
};
const documents: Documents = {
    "\n  fragment Kpis on CampaignKpis {\n    campaignId\n    impressions\n    clicks\n    ctr\n    addToCarts\n    conversions\n    conversionRate\n    revenue\n    updatedAt\n  }\n": types.KpisFragmentDoc,
    "\n  fragment CampaignFields on Campaign {\n    id\n    name\n    status\n    startsAt\n    endsAt\n    budget\n    attributionWindowHours\n    productIds\n    kpis {\n      ...Kpis\n    }\n  }\n": types.CampaignFieldsFragmentDoc,
    "\n  query Campaigns {\n    campaigns(first: 50) {\n      edges {\n        node {\n          id\n          name\n          status\n          startsAt\n          endsAt\n          budget\n          kpis {\n            campaignId\n            impressions\n            clicks\n            ctr\n            conversions\n            revenue\n          }\n        }\n      }\n    }\n  }\n": types.CampaignsDocument,
    "\n  query CampaignPage($id: ID!, $from: DateTime!, $to: DateTime!, $bucket: KpiBucket!) {\n    campaign(id: $id) {\n      ...CampaignFields\n      products {\n        id\n        name\n        category\n        stock\n      }\n      series(from: $from, to: $to, bucket: $bucket) {\n        at\n        impressions\n        clicks\n        ctr\n        conversions\n        revenue\n      }\n    }\n  }\n": types.CampaignPageDocument,
    "\n  subscription CampaignKpisUpdated($id: ID!) {\n    campaignKpisUpdated(campaignId: $id) {\n      ...Kpis\n    }\n  }\n": types.CampaignKpisUpdatedDocument,
    "\n  mutation CreateCampaign($input: CreateCampaignInput!) {\n    createCampaign(input: $input) {\n      ...CampaignFields\n    }\n  }\n": types.CreateCampaignDocument,
    "\n  mutation UpdateCampaign($id: ID!, $input: UpdateCampaignInput!) {\n    updateCampaign(id: $id, input: $input) {\n      ...CampaignFields\n    }\n  }\n": types.UpdateCampaignDocument,
    "\n  mutation SetCampaignStatus($id: ID!, $status: CampaignStatus!) {\n    setCampaignStatus(id: $id, status: $status) {\n      ...CampaignFields\n    }\n  }\n": types.SetCampaignStatusDocument,
    "\n  fragment StockProduct on Product {\n    id\n    name\n    category\n    stock\n    lowStockThreshold\n  }\n": types.StockProductFragmentDoc,
    "\n  fragment Alert on InventoryAlert {\n    id\n    kind\n    stock\n    threshold\n    shortfall\n    createdAt\n    resolvedAt\n    product {\n      ...StockProduct\n    }\n  }\n": types.AlertFragmentDoc,
    "\n  query Inventory {\n    inventoryAlerts(first: 20) {\n      edges {\n        node {\n          id\n          kind\n          stock\n          threshold\n          shortfall\n          createdAt\n          resolvedAt\n          product {\n            id\n            name\n            category\n            stock\n            lowStockThreshold\n          }\n        }\n      }\n    }\n    lowStockProducts(first: 50) {\n      edges {\n        node {\n          id\n          name\n          category\n          stock\n          lowStockThreshold\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n": types.InventoryDocument,
    "\n  subscription LowStockAlert {\n    lowStockAlert {\n      ...Alert\n    }\n  }\n": types.LowStockAlertDocument,
    "\n  mutation SetStock($productId: ID!, $stock: Int!) {\n    setStock(productId: $productId, stock: $stock) {\n      ...StockProduct\n    }\n  }\n": types.SetStockDocument,
    "\n  fragment Version on ModelVersion {\n    id\n    algorithm\n    params\n    status\n    trainedAt\n    trainingEvents\n    durationMs\n    halfLifeDays\n    choices {\n      algorithm\n      halfLifeDays\n      ndcgAt10\n      parts {\n        algorithm\n        weight\n      }\n    }\n    metrics {\n      precisionAt10\n      recallAt10\n      ndcgAt10\n      map\n      users\n      baselineNdcgAt10\n    }\n  }\n": types.VersionFragmentDoc,
    "\n  fragment Run on TrainingRun {\n    id\n    algorithm\n    trigger\n    status\n    requestedAt\n    startedAt\n    finishedAt\n    error\n    model {\n      id\n      status\n      metrics {\n        ndcgAt10\n      }\n    }\n  }\n": types.RunFragmentDoc,
    "\n  query Models {\n    models(first: 20) {\n      edges {\n        node {\n          ...Version\n        }\n      }\n    }\n    activeModel {\n      id\n    }\n  }\n": types.ModelsDocument,
    "\n  query ExperimentResults {\n    experimentResults {\n      experiment {\n        id\n        createdAt\n      }\n      variants {\n        name\n        model\n        weight\n        listsServed\n        clicks\n        clickThroughRate\n        purchases\n        revenue\n        pValue\n      }\n    }\n  }\n": types.ExperimentResultsDocument,
    "\n  mutation Retrain($algorithm: String) {\n    retrainModel(algorithm: $algorithm) {\n      ...Run\n    }\n  }\n": types.RetrainDocument,
    "\n  query TrainingRun($id: ID!) {\n    trainingRun(id: $id) {\n      ...Run\n    }\n  }\n": types.TrainingRunDocument,
    "\n  subscription ModelTrained {\n    modelTrained {\n      ...Version\n    }\n  }\n": types.ModelTrainedDocument,
    "\n  mutation ConfigureExperiment($variants: [VariantInput!]!) {\n    configureExperiment(variants: $variants) {\n      id\n      createdAt\n      variants {\n        name\n        weight\n        model\n      }\n    }\n  }\n": types.ConfigureExperimentDocument,
    "\n  query ProductPage($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      category\n      price\n      currency\n      stock\n      lowStockThreshold\n      updatedAt\n      stockMovements(first: 20) {\n        edges {\n          node {\n            id\n            kind\n            delta\n            resultingStock\n            reason\n            actor\n            createdAt\n          }\n        }\n      }\n    }\n  }\n": types.ProductPageDocument,
    "\n  fragment SalesFields on SalesMetrics {\n    from\n    to\n    orders\n    units\n    revenue\n    averageOrderValue\n    series {\n      at\n      orders\n      units\n      revenue\n    }\n    topProducts {\n      units\n      revenue\n      product {\n        id\n        name\n        category\n        stock\n      }\n    }\n  }\n": types.SalesFieldsFragmentDoc,
    "\n  subscription SalesMetricsUpdated($windowMinutes: Int!) {\n    salesMetricsUpdated(windowMinutes: $windowMinutes) {\n      ...SalesFields\n    }\n  }\n": types.SalesMetricsUpdatedDocument,
    "\n  query SalesMetrics($from: DateTime!, $to: DateTime!, $bucket: KpiBucket!) {\n    salesMetrics(from: $from, to: $to, bucket: $bucket) {\n      ...SalesFields\n    }\n  }\n": types.SalesMetricsDocument,
    "\n  query SalesShortfalls {\n    inventoryAlerts(first: 100, kind: OUT_OF_STOCK) {\n      edges {\n        node {\n          id\n          shortfall\n          createdAt\n          product {\n            id\n          }\n        }\n      }\n    }\n  }\n": types.SalesShortfallsDocument,
    "\n  fragment ShopProduct on Product {\n    id\n    name\n    category\n    price\n    stock\n  }\n": types.ShopProductFragmentDoc,
    "\n  query ShopProducts($after: String, $category: String) {\n    products(first: 100, after: $after, category: $category) {\n      edges {\n        node {\n          id\n          name\n          category\n          price\n          stock\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ShopProductsDocument,
    "\n  subscription RecommendationsUpdated($userId: ID!) {\n    recommendationsUpdated(userId: $userId, limit: 8) {\n      id\n      userId\n      model\n      variant\n      generatedAt\n      items {\n        score\n        reason\n        product {\n          ...ShopProduct\n        }\n      }\n    }\n  }\n": types.RecommendationsUpdatedDocument,
    "\n  mutation RecordEvent($event: EventInput!) {\n    recordEvent(event: $event) {\n      accepted\n      duplicates\n    }\n  }\n": types.RecordEventDocument,
    "\n  query SystemStatus {\n    systemStatus {\n      checkedAt\n      instance {\n        role\n        uptimeSeconds\n      }\n      dependencies {\n        name\n        ok\n        latencyMs\n        error\n      }\n      outboxPending\n      queues {\n        name\n        health\n        waiting\n        active\n        delayed\n        failed\n        completed\n        workers {\n          name\n          address\n          ageSeconds\n          idleSeconds\n        }\n      }\n      featureStore {\n        health\n        lastRebuild {\n          reason\n          startedAt\n          finishedAt\n          replayedJobs\n          events\n        }\n      }\n    }\n  }\n": types.SystemStatusDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment Kpis on CampaignKpis {\n    campaignId\n    impressions\n    clicks\n    ctr\n    addToCarts\n    conversions\n    conversionRate\n    revenue\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment Kpis on CampaignKpis {\n    campaignId\n    impressions\n    clicks\n    ctr\n    addToCarts\n    conversions\n    conversionRate\n    revenue\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CampaignFields on Campaign {\n    id\n    name\n    status\n    startsAt\n    endsAt\n    budget\n    attributionWindowHours\n    productIds\n    kpis {\n      ...Kpis\n    }\n  }\n"): (typeof documents)["\n  fragment CampaignFields on Campaign {\n    id\n    name\n    status\n    startsAt\n    endsAt\n    budget\n    attributionWindowHours\n    productIds\n    kpis {\n      ...Kpis\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Campaigns {\n    campaigns(first: 50) {\n      edges {\n        node {\n          id\n          name\n          status\n          startsAt\n          endsAt\n          budget\n          kpis {\n            campaignId\n            impressions\n            clicks\n            ctr\n            conversions\n            revenue\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Campaigns {\n    campaigns(first: 50) {\n      edges {\n        node {\n          id\n          name\n          status\n          startsAt\n          endsAt\n          budget\n          kpis {\n            campaignId\n            impressions\n            clicks\n            ctr\n            conversions\n            revenue\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CampaignPage($id: ID!, $from: DateTime!, $to: DateTime!, $bucket: KpiBucket!) {\n    campaign(id: $id) {\n      ...CampaignFields\n      products {\n        id\n        name\n        category\n        stock\n      }\n      series(from: $from, to: $to, bucket: $bucket) {\n        at\n        impressions\n        clicks\n        ctr\n        conversions\n        revenue\n      }\n    }\n  }\n"): (typeof documents)["\n  query CampaignPage($id: ID!, $from: DateTime!, $to: DateTime!, $bucket: KpiBucket!) {\n    campaign(id: $id) {\n      ...CampaignFields\n      products {\n        id\n        name\n        category\n        stock\n      }\n      series(from: $from, to: $to, bucket: $bucket) {\n        at\n        impressions\n        clicks\n        ctr\n        conversions\n        revenue\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CampaignKpisUpdated($id: ID!) {\n    campaignKpisUpdated(campaignId: $id) {\n      ...Kpis\n    }\n  }\n"): (typeof documents)["\n  subscription CampaignKpisUpdated($id: ID!) {\n    campaignKpisUpdated(campaignId: $id) {\n      ...Kpis\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCampaign($input: CreateCampaignInput!) {\n    createCampaign(input: $input) {\n      ...CampaignFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateCampaign($input: CreateCampaignInput!) {\n    createCampaign(input: $input) {\n      ...CampaignFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateCampaign($id: ID!, $input: UpdateCampaignInput!) {\n    updateCampaign(id: $id, input: $input) {\n      ...CampaignFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateCampaign($id: ID!, $input: UpdateCampaignInput!) {\n    updateCampaign(id: $id, input: $input) {\n      ...CampaignFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetCampaignStatus($id: ID!, $status: CampaignStatus!) {\n    setCampaignStatus(id: $id, status: $status) {\n      ...CampaignFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetCampaignStatus($id: ID!, $status: CampaignStatus!) {\n    setCampaignStatus(id: $id, status: $status) {\n      ...CampaignFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StockProduct on Product {\n    id\n    name\n    category\n    stock\n    lowStockThreshold\n  }\n"): (typeof documents)["\n  fragment StockProduct on Product {\n    id\n    name\n    category\n    stock\n    lowStockThreshold\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment Alert on InventoryAlert {\n    id\n    kind\n    stock\n    threshold\n    shortfall\n    createdAt\n    resolvedAt\n    product {\n      ...StockProduct\n    }\n  }\n"): (typeof documents)["\n  fragment Alert on InventoryAlert {\n    id\n    kind\n    stock\n    threshold\n    shortfall\n    createdAt\n    resolvedAt\n    product {\n      ...StockProduct\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Inventory {\n    inventoryAlerts(first: 20) {\n      edges {\n        node {\n          id\n          kind\n          stock\n          threshold\n          shortfall\n          createdAt\n          resolvedAt\n          product {\n            id\n            name\n            category\n            stock\n            lowStockThreshold\n          }\n        }\n      }\n    }\n    lowStockProducts(first: 50) {\n      edges {\n        node {\n          id\n          name\n          category\n          stock\n          lowStockThreshold\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n"): (typeof documents)["\n  query Inventory {\n    inventoryAlerts(first: 20) {\n      edges {\n        node {\n          id\n          kind\n          stock\n          threshold\n          shortfall\n          createdAt\n          resolvedAt\n          product {\n            id\n            name\n            category\n            stock\n            lowStockThreshold\n          }\n        }\n      }\n    }\n    lowStockProducts(first: 50) {\n      edges {\n        node {\n          id\n          name\n          category\n          stock\n          lowStockThreshold\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LowStockAlert {\n    lowStockAlert {\n      ...Alert\n    }\n  }\n"): (typeof documents)["\n  subscription LowStockAlert {\n    lowStockAlert {\n      ...Alert\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetStock($productId: ID!, $stock: Int!) {\n    setStock(productId: $productId, stock: $stock) {\n      ...StockProduct\n    }\n  }\n"): (typeof documents)["\n  mutation SetStock($productId: ID!, $stock: Int!) {\n    setStock(productId: $productId, stock: $stock) {\n      ...StockProduct\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment Version on ModelVersion {\n    id\n    algorithm\n    params\n    status\n    trainedAt\n    trainingEvents\n    durationMs\n    halfLifeDays\n    choices {\n      algorithm\n      halfLifeDays\n      ndcgAt10\n      parts {\n        algorithm\n        weight\n      }\n    }\n    metrics {\n      precisionAt10\n      recallAt10\n      ndcgAt10\n      map\n      users\n      baselineNdcgAt10\n    }\n  }\n"): (typeof documents)["\n  fragment Version on ModelVersion {\n    id\n    algorithm\n    params\n    status\n    trainedAt\n    trainingEvents\n    durationMs\n    halfLifeDays\n    choices {\n      algorithm\n      halfLifeDays\n      ndcgAt10\n      parts {\n        algorithm\n        weight\n      }\n    }\n    metrics {\n      precisionAt10\n      recallAt10\n      ndcgAt10\n      map\n      users\n      baselineNdcgAt10\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment Run on TrainingRun {\n    id\n    algorithm\n    trigger\n    status\n    requestedAt\n    startedAt\n    finishedAt\n    error\n    model {\n      id\n      status\n      metrics {\n        ndcgAt10\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment Run on TrainingRun {\n    id\n    algorithm\n    trigger\n    status\n    requestedAt\n    startedAt\n    finishedAt\n    error\n    model {\n      id\n      status\n      metrics {\n        ndcgAt10\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Models {\n    models(first: 20) {\n      edges {\n        node {\n          ...Version\n        }\n      }\n    }\n    activeModel {\n      id\n    }\n  }\n"): (typeof documents)["\n  query Models {\n    models(first: 20) {\n      edges {\n        node {\n          ...Version\n        }\n      }\n    }\n    activeModel {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ExperimentResults {\n    experimentResults {\n      experiment {\n        id\n        createdAt\n      }\n      variants {\n        name\n        model\n        weight\n        listsServed\n        clicks\n        clickThroughRate\n        purchases\n        revenue\n        pValue\n      }\n    }\n  }\n"): (typeof documents)["\n  query ExperimentResults {\n    experimentResults {\n      experiment {\n        id\n        createdAt\n      }\n      variants {\n        name\n        model\n        weight\n        listsServed\n        clicks\n        clickThroughRate\n        purchases\n        revenue\n        pValue\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Retrain($algorithm: String) {\n    retrainModel(algorithm: $algorithm) {\n      ...Run\n    }\n  }\n"): (typeof documents)["\n  mutation Retrain($algorithm: String) {\n    retrainModel(algorithm: $algorithm) {\n      ...Run\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TrainingRun($id: ID!) {\n    trainingRun(id: $id) {\n      ...Run\n    }\n  }\n"): (typeof documents)["\n  query TrainingRun($id: ID!) {\n    trainingRun(id: $id) {\n      ...Run\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ModelTrained {\n    modelTrained {\n      ...Version\n    }\n  }\n"): (typeof documents)["\n  subscription ModelTrained {\n    modelTrained {\n      ...Version\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfigureExperiment($variants: [VariantInput!]!) {\n    configureExperiment(variants: $variants) {\n      id\n      createdAt\n      variants {\n        name\n        weight\n        model\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConfigureExperiment($variants: [VariantInput!]!) {\n    configureExperiment(variants: $variants) {\n      id\n      createdAt\n      variants {\n        name\n        weight\n        model\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProductPage($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      category\n      price\n      currency\n      stock\n      lowStockThreshold\n      updatedAt\n      stockMovements(first: 20) {\n        edges {\n          node {\n            id\n            kind\n            delta\n            resultingStock\n            reason\n            actor\n            createdAt\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProductPage($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      category\n      price\n      currency\n      stock\n      lowStockThreshold\n      updatedAt\n      stockMovements(first: 20) {\n        edges {\n          node {\n            id\n            kind\n            delta\n            resultingStock\n            reason\n            actor\n            createdAt\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SalesFields on SalesMetrics {\n    from\n    to\n    orders\n    units\n    revenue\n    averageOrderValue\n    series {\n      at\n      orders\n      units\n      revenue\n    }\n    topProducts {\n      units\n      revenue\n      product {\n        id\n        name\n        category\n        stock\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment SalesFields on SalesMetrics {\n    from\n    to\n    orders\n    units\n    revenue\n    averageOrderValue\n    series {\n      at\n      orders\n      units\n      revenue\n    }\n    topProducts {\n      units\n      revenue\n      product {\n        id\n        name\n        category\n        stock\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SalesMetricsUpdated($windowMinutes: Int!) {\n    salesMetricsUpdated(windowMinutes: $windowMinutes) {\n      ...SalesFields\n    }\n  }\n"): (typeof documents)["\n  subscription SalesMetricsUpdated($windowMinutes: Int!) {\n    salesMetricsUpdated(windowMinutes: $windowMinutes) {\n      ...SalesFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SalesMetrics($from: DateTime!, $to: DateTime!, $bucket: KpiBucket!) {\n    salesMetrics(from: $from, to: $to, bucket: $bucket) {\n      ...SalesFields\n    }\n  }\n"): (typeof documents)["\n  query SalesMetrics($from: DateTime!, $to: DateTime!, $bucket: KpiBucket!) {\n    salesMetrics(from: $from, to: $to, bucket: $bucket) {\n      ...SalesFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SalesShortfalls {\n    inventoryAlerts(first: 100, kind: OUT_OF_STOCK) {\n      edges {\n        node {\n          id\n          shortfall\n          createdAt\n          product {\n            id\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SalesShortfalls {\n    inventoryAlerts(first: 100, kind: OUT_OF_STOCK) {\n      edges {\n        node {\n          id\n          shortfall\n          createdAt\n          product {\n            id\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ShopProduct on Product {\n    id\n    name\n    category\n    price\n    stock\n  }\n"): (typeof documents)["\n  fragment ShopProduct on Product {\n    id\n    name\n    category\n    price\n    stock\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ShopProducts($after: String, $category: String) {\n    products(first: 100, after: $after, category: $category) {\n      edges {\n        node {\n          id\n          name\n          category\n          price\n          stock\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query ShopProducts($after: String, $category: String) {\n    products(first: 100, after: $after, category: $category) {\n      edges {\n        node {\n          id\n          name\n          category\n          price\n          stock\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RecommendationsUpdated($userId: ID!) {\n    recommendationsUpdated(userId: $userId, limit: 8) {\n      id\n      userId\n      model\n      variant\n      generatedAt\n      items {\n        score\n        reason\n        product {\n          ...ShopProduct\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription RecommendationsUpdated($userId: ID!) {\n    recommendationsUpdated(userId: $userId, limit: 8) {\n      id\n      userId\n      model\n      variant\n      generatedAt\n      items {\n        score\n        reason\n        product {\n          ...ShopProduct\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RecordEvent($event: EventInput!) {\n    recordEvent(event: $event) {\n      accepted\n      duplicates\n    }\n  }\n"): (typeof documents)["\n  mutation RecordEvent($event: EventInput!) {\n    recordEvent(event: $event) {\n      accepted\n      duplicates\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SystemStatus {\n    systemStatus {\n      checkedAt\n      instance {\n        role\n        uptimeSeconds\n      }\n      dependencies {\n        name\n        ok\n        latencyMs\n        error\n      }\n      outboxPending\n      queues {\n        name\n        health\n        waiting\n        active\n        delayed\n        failed\n        completed\n        workers {\n          name\n          address\n          ageSeconds\n          idleSeconds\n        }\n      }\n      featureStore {\n        health\n        lastRebuild {\n          reason\n          startedAt\n          finishedAt\n          replayedJobs\n          events\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SystemStatus {\n    systemStatus {\n      checkedAt\n      instance {\n        role\n        uptimeSeconds\n      }\n      dependencies {\n        name\n        ok\n        latencyMs\n        error\n      }\n      outboxPending\n      queues {\n        name\n        health\n        waiting\n        active\n        delayed\n        failed\n        completed\n        workers {\n          name\n          address\n          ageSeconds\n          idleSeconds\n        }\n      }\n      featureStore {\n        health\n        lastRebuild {\n          reason\n          startedAt\n          finishedAt\n          replayedJobs\n          events\n        }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;