// Schema-first: the SDL files under schema/ (one per domain) joined with the resolvers of src/resolvers/.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from '../resolvers';

export const SCHEMA_DIR = join(import.meta.dirname, '..', '..', 'schema');

export function loadTypeDefs(dir = SCHEMA_DIR): string[] {
  // base.graphql declares the root types that the domain files extend, so it goes first.
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort((a, b) => (a === 'base.graphql' ? -1 : b === 'base.graphql' ? 1 : a.localeCompare(b)));
  return files.map((f) => readFileSync(join(dir, f), 'utf8'));
}

export function buildSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
}
