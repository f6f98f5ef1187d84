// Query limits (depth, aliases, cost, tokens, directives) from graphql-armor, for HTTP and WebSocket alike.
// Apollo's validationRules never reach graphql-ws, so the WebSocket side parses and validates with the same rules here.
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config';

type LimitConfig = Pick<
  Config,
  'GRAPHQL_MAX_DEPTH' | 'GRAPHQL_MAX_ALIASES' | 'GRAPHQL_MAX_COST' | 'GRAPHQL_MAX_TOKENS' | 'NODE_ENV'
>;

export function createArmor(config: LimitConfig) {
  const armor = new ApolloArmor({
    // Fragments are how clients organise a selection, not extra work: a field costs the same whether it is
    // written inline or in a fragment (graphql-armor counts each fragment as a level unless flattened).
    maxDepth: { n: config.GRAPHQL_MAX_DEPTH, flattenFragments: true },
    maxAliases: { n: config.GRAPHQL_MAX_ALIASES },
    costLimit: { maxCost: config.GRAPHQL_MAX_COST, flattenFragments: true },
    maxTokens: { n: config.GRAPHQL_MAX_TOKENS },
    maxDirectives: { n: 50 },
    // Field suggestions ("did you mean …") would describe the schema to a caller who may not introspect it.
    blockFieldSuggestion: { enabled: config.NODE_ENV === 'production' },
  });
  return armor.protect();
}

/** Most valid documents OperationLimits keeps (the oldest go first). */
const CHECKED_DOCUMENTS = 1000;

export class OperationLimits {
  private readonly rules: ValidationRule[];
  private readonly checked = new Map<string, { schema: GraphQLSchema; document: DocumentNode }>();
  constructor(
    private readonly config: LimitConfig,
    armorRules: ValidationRule[],
  ) {
    this.rules = [
      ...specifiedRules,
      ...armorRules,
      ...(config.NODE_ENV === 'production' ? [NoSchemaIntrospectionCustomRule] : []),
    ];
  }

  /**
   * Parses with the token limit and validates with every rule; returns the document or the errors to report.
   * Documents that passed are kept by their text (as Apollo's document store keeps HTTP's): shoppers subscribe
   * with the same few operations, and the same document object finds its compiled form (CompiledExecution).
   */
  check(schema: GraphQLSchema, query: string): { document: DocumentNode } | { errors: GraphQLError[] } {
    const known = this.checked.get(query);
    if (known && known.schema === schema) return { document: known.document };
    const result = this.parseAndValidate(schema, query);
    if ('document' in result) {
      if (this.checked.size >= CHECKED_DOCUMENTS) this.checked.delete(this.checked.keys().next().value!);
      this.checked.set(query, { schema, document: result.document });
    }
    return result;
  }

  private parseAndValidate(schema: GraphQLSchema, query: string): { document: DocumentNode } | { errors: GraphQLError[] } {
    let document: DocumentNode;
    try {
      document = new MaxTokensParserWLexer(query, { n: this.config.GRAPHQL_MAX_TOKENS }).parseDocument();
    } catch (err) {
      return { errors: [err instanceof GraphQLError ? err : new GraphQLError('Syntax error')] };
    }
    const errors = validate(schema, document, this.rules);
    return errors.length ? { errors: [...errors] } : { document };
  }
}
