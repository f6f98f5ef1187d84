// Query limits and input rules, for HTTP and WebSocket alike. Depth, aliases and directives come from graphql-armor
// as validation rules; the token limit is graphql-js's own parser option (a client's mistake then answers 400
// GRAPHQL_PARSE_FAILED: graphql-armor's Apollo plugin threw it from a hook, which Apollo answered with a 500); the
// cost limit (cost.ts) and the input rules (input-rules.ts) need the request's variables, so they run per request
// once the operation is known. Apollo's validationRules never reach graphql-ws, so the WebSocket side parses,
// validates and checks with the same rules here.
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config';
import { costDependsOnVariables, operationCost } from './cost';
import { InputRules, inputRuleError } from './input-rules';

type LimitConfig = Pick<
  Config,
  'GRAPHQL_MAX_DEPTH' | 'GRAPHQL_MAX_ALIASES' | 'GRAPHQL_MAX_COST' | 'GRAPHQL_MAX_TOKENS' | 'NODE_ENV'
>;

type Variables = Readonly<Record<string, unknown>> | null | undefined;

export function createArmor(config: LimitConfig) {
  const armor = new ApolloArmor({
    // Fragments are how clients organise a selection, not extra work: a field costs the same whether it is
    // written inline or in a fragment (graphql-armor counts each fragment as a level unless flattened).
    maxDepth: { n: config.GRAPHQL_MAX_DEPTH, flattenFragments: true },
    maxAliases: { n: config.GRAPHQL_MAX_ALIASES },
    // Counted per request with the variables' values instead (cost.ts).
    costLimit: { enabled: false },
    // graphql-js's parser option instead (apolloLimitOptions).
    maxTokens: { enabled: false },
    maxDirectives: { n: 50 },
    // graphql-js's hideSuggestions instead, which also covers enum values and input fields (apolloLimitOptions).
    blockFieldSuggestion: { enabled: false },
  });
  return armor.protect();
}

/** Suggestions ("did you mean …") would describe the schema to a caller who may not introspect it. */
export function hideSuggestions(config: Pick<Config, 'NODE_ENV'>): boolean {
  return config.NODE_ENV === 'production';
}

/** Most valid documents OperationLimits keeps (the oldest go first). */
const CHECKED_DOCUMENTS = 1000;

export class OperationLimits {
  private readonly rules: ValidationRule[];
  private readonly checked = new Map<string, { schema: GraphQLSchema; document: DocumentNode }>();
  private readonly inputRules = new WeakMap<GraphQLSchema, InputRules>();
  /** Cost of operations whose cost does not depend on their variables (null: computed per request). */
  private readonly costs = new WeakMap<OperationDefinitionNode, number | null>();
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
   * Parses with the token limit, validates with every rule and checks the request (cost, input rules); returns the
   * document or the errors to report. Documents that passed validation are kept by their text (as Apollo's
   * document store keeps HTTP's): shoppers subscribe with the same few operations, and the same document object
   * finds its compiled form (CompiledExecution) and its checks' plans.
   */
  check(
    schema: GraphQLSchema,
    query: string,
    request: { operationName?: string | null; variables?: Variables } = {},
  ): { document: DocumentNode } | { errors: GraphQLError[] } {
    const known = this.checked.get(query);
    let document: DocumentNode;
    if (known && known.schema === schema) {
      document = known.document;
    } else {
      const result = this.parseAndValidate(schema, query);
      if ('errors' in result) return result;
      document = result.document;
      if (this.checked.size >= CHECKED_DOCUMENTS) this.checked.delete(this.checked.keys().next().value!);
      this.checked.set(query, { schema, document });
    }
    const operation = getOperationAST(document, request.operationName);
    // No such operation: execution reports it.
    if (!operation) return { document };
    const error = this.checkRequest(schema, document, operation, request.variables);
    return error ? { errors: [error] } : { document };
  }

  /**
   * The per-request checks of a valid document: its cost with the variables' values (refused as a validation
   * error, as graphql-armor refused a literal), then the input rules (BAD_USER_INPUT). Both answer HTTP 400.
   */
  checkRequest(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): GraphQLError | null {
    let cost = this.costs.get(operation);
    if (cost === undefined) {
      cost = costDependsOnVariables(document, operation) ? null : operationCost(document, operation, undefined);
      this.costs.set(operation, cost);
    }
    const found = cost ?? operationCost(document, operation, variables);
    if (found > this.config.GRAPHQL_MAX_COST) {
      return new GraphQLError(`Query Cost limit of ${this.config.GRAPHQL_MAX_COST} exceeded, found ${found}.`, {
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
      });
    }
    let rules = this.inputRules.get(schema);
    if (!rules) this.inputRules.set(schema, (rules = new InputRules(schema)));
    const problems = rules.check(document, operation, variables);
    return problems.length ? inputRuleError(problems) : null;
  }

  private parseAndValidate(schema: GraphQLSchema, query: string): { document: DocumentNode } | { errors: GraphQLError[] } {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: this.config.GRAPHQL_MAX_TOKENS });
    } catch (err) {
      // Coded as Apollo codes a syntax error over HTTP.
      const error = err instanceof GraphQLError ? err : new GraphQLError('Syntax error');
      return { errors: [new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] };
    }
    const errors = validate(schema, document, this.rules, { hideSuggestions: hideSuggestions(this.config) });
    return errors.length ? { errors: [...errors] } : { document };
  }
}

/**
 * What Apollo Server needs to apply the same limits as OperationLimits: graphql-js's token limit and suggestion
 * hiding, and a plugin that runs the per-request checks once Apollo has resolved the operation (before any
 * execution; a refusal answers 400).
 */
export function apolloLimitOptions<TContext extends BaseContext>(config: LimitConfig, limits: OperationLimits, schema: GraphQLSchema) {
  const plugin: ApolloServerPlugin<TContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const error = limits.checkRequest(schema, document, operation, request.variables);
          if (error) throw error;
        },
      };
    },
  };
  return {
    parseOptions: { maxTokens: config.GRAPHQL_MAX_TOKENS },
    validationOptions: { hideSuggestions: hideSuggestions(config) },
    plugin,
  };
}
