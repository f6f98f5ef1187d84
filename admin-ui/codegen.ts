// GraphQL Codegen (client preset): the admin UI's operation and fragment types, generated from the server's SDL
// in schema/ and the graphql() documents in admin-ui/src, into admin-ui/src/gql (checked in, never edited).
// npm run codegen writes it; npm run codegen:check (part of npm run lint) fails when it is not what the schema
// and the documents give, so a renamed field breaks the UI's type check instead of a page at run time.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  documents: ['admin-ui/src/**/*.{ts,tsx}', '!admin-ui/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'admin-ui/src/gql/': {
      preset: 'client',
      presetConfig: {
        // The pages read fragment fields directly, as they did with hand-written types: no useFragment unmasking.
        fragmentMasking: false,
      },
      config: {
        // How the server serializes its scalars (schema/base.graphql, schema/models.graphql).
        scalars: { DateTime: 'string', JSON: 'unknown' },
        strictScalars: true,
        enumsAsTypes: true,
        useTypeImports: true,
        // Apollo adds __typename to what it fetches; the pages never read it.
        skipTypename: true,
      },
    },
  },
};

export default config;
