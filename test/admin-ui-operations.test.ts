// Every GraphQL operation of the admin UI passes the server's validation as configured by default: the schema
// (a renamed field breaks the build of the UI's pages only at run time otherwise) and the query limits (the
// cost limit multiplies a page's fields by `first`, so a list that grows past it would fail with a 400), as the
// browser sends them.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { addTypenameToDocument } from '@apollo/client/utilities';
import { print, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { createArmor, OperationLimits } from '../src/graphql/limits';
import { buildSchema } from '../src/graphql/schema';

const DIR = join(import.meta.dirname, '..', 'admin-ui', 'src', 'graphql');
const config = loadConfig({});
const limits = new OperationLimits(config, createArmor(config).validationRules);
const schema = buildSchema();

const operations: Array<[string, DocumentNode]> = [];
for (const file of readdirSync(DIR).filter((f) => f.endsWith('.ts')).sort()) {
  const mod = (await import(join(DIR, file))) as Record<string, unknown>;
  for (const [name, value] of Object.entries(mod)) {
    if (value && typeof value === 'object' && (value as DocumentNode).kind === 'Document') operations.push([`${file}: ${name}`, value as DocumentNode]);
  }
}

describe('admin UI operations', () => {
  it('are found', () => {
    expect(operations.length).toBeGreaterThanOrEqual(15);
  });

  it.each(operations)('%s is valid against the schema and within the query limits', (_name, document) => {
    // As Apollo Client sends it: with __typename on every object, which the cost limit counts too (a query within the
    // limit without them went over it in the browser).
    const checked = limits.check(schema, print(addTypenameToDocument(document)));
    expect('errors' in checked ? checked.errors.map((e) => e.message) : []).toEqual([]);
  });
});
