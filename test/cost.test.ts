// The cost limit's own formula (src/graphql/cost.ts) against graphql-armor's on literals: the same number for every
// admin UI operation and for hand-written documents with fragments, so moving the limit from graphql-armor's
// validation rule to a per-request check changed what it counts only where variables give `first`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { getOperationAST, parse, print, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationCost } from '../src/graphql/cost';
import { buildSchema } from '../src/graphql/schema';

const schema = buildSchema();

/** graphql-armor's cost of a one-operation document, as its validation rule computes it. */
function armorCost(document: DocumentNode): number {
  const found: number[] = [];
  const { validationRules } = new ApolloArmor({
    costLimit: { maxCost: Number.MAX_SAFE_INTEGER, flattenFragments: true, onAccept: [(_ctx, { n }) => void found.push(n)] },
    maxDepth: { enabled: false },
    maxAliases: { enabled: false },
    maxDirectives: { enabled: false },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  validate(schema, document, validationRules);
  expect(found).toHaveLength(1);
  return found[0]!;
}

const ownCost = (document: DocumentNode, variables?: Record<string, unknown>) =>
  operationCost(document, getOperationAST(document)!, variables);

const UI_DIR = join(import.meta.dirname, '..', 'admin-ui', 'src', 'graphql');
const documents: Array<[string, DocumentNode]> = [];
for (const file of readdirSync(UI_DIR).filter((f) => f.endsWith('.ts')).sort()) {
  const mod = (await import(join(UI_DIR, file))) as Record<string, unknown>;
  for (const [name, value] of Object.entries(mod)) {
    if (value && typeof value === 'object' && (value as DocumentNode).kind === 'Document') documents.push([`${file}: ${name}`, parse(print(value as DocumentNode))]);
  }
}
const fields = 'id name category price stock';
documents.push(
  ['aliases', parse(`{ a: products(first: 30) { edges { node { ${fields} } } } b: products(last: 7) { pageInfo { hasNextPage } } }`)],
  ['nested pages', parse(`{ inventoryAlerts(first: 20) { edges { node { product { stockMovements(first: 50) { edges { node { delta } } } } } } } }`)],
  [
    'a fragment spread twice, an inline fragment',
    parse(`{ a: products(first: 10) { ...C } b: lowStockProducts(first: 3) { ...C } viewer { ... on Viewer { id role } } }
      fragment C on ProductConnection { edges { cursor node { ...P } } pageInfo { endCursor } }
      fragment P on Product { ${fields} }`),
  ],
  ['introspection', parse(`{ __schema { types { name fields { name } } } products { edges { cursor } } }`)],
);

describe('operationCost', () => {
  it.each(documents)('%s costs what graphql-armor counts', (_name, document) => {
    expect(ownCost(document)).toBe(armorCost(document));
  });

  it('counts a variable, or its default, as the same literal', () => {
    const literal = parse(`{ a: products(first: 100) { edges { node { id } } } b: models(first: 4) { edges { cursor } } }`);
    const variables = parse(`query($n: Int, $m: Int = 4) { a: products(first: $n) { edges { node { id } } } b: models(first: $m) { edges { cursor } } }`);
    expect(ownCost(variables, { n: 100 })).toBe(armorCost(literal));
    expect(ownCost(variables, { n: 100, m: null })).toBe(armorCost(literal));
    // A value that is not a page size counts as graphql-armor counts a missing `first`: 1.
    expect(ownCost(variables, { n: 'many', m: 1 })).toBe(armorCost(parse(`{ a: products { edges { node { id } } } b: models { edges { cursor } } }`)));
  });
});
