// Compiled execution for every operation, over HTTP and WebSocket alike: graphql-jit turns a document into a
// function once (variable coercion and the selection's walk written out for that document), and each request
// then runs it. graphql-js's generic walk cost more than the work it fronts on the two hot paths: coercing a
// batch of 100 events against EventInput took ≈ 8 µs per event (≈ 0.3 compiled), and every live push executed
// the subscription's selection over its list anew (bench:ingest, bench:latency in BENCHMARKS.md).
//
// graphql-js stays the reference: a document graphql-jit cannot compile runs on graphql-js, and so does a request
// that fails before execution (variables that do not coerce), so that clients get graphql-js's errors, which
// name the variable and the path and which Apollo recognises as BAD_USER_INPUT. Parsing and validation (and
// graphql-armor's limits) are unchanged: they happen before either engine runs.
import { createSourceEventStream, execute, GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { isSharedLiveValue } from '../realtime/shared-live';

type Result = ExecutionResult | Promise<ExecutionResult>;
type SubscriptionResult = Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;

export class CompiledExecution {
  /** Compiled operations per document and operation name (null: not compilable, graphql-js runs it). Documents
   * are cached by whoever parses them (Apollo's document store, OperationLimits), so the same request text
   * finds its compiled operation; a document dropped from those caches takes its compilations with it. */
  private readonly compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();
  /** Results of the shared live values (realtime/shared-live.ts) per value, document and variant (see subscribe):
   * kept as long as the value is, which its source drops at its next value. */
  private readonly sharedResults = new WeakMap<object, WeakMap<DocumentNode, Map<string, Result>>>();

  constructor(
    /** Told of each operation's compilation: whether it compiled (else graphql-js runs it). */
    private readonly onCompile: (compiled: boolean) => void = () => undefined,
    /** Leave "did you mean …" out of graphql-js's variable coercion errors (production: limits.ts). @default false */
    private readonly hideSuggestions = false,
  ) {}

  /** Runs a query or mutation (or a subscription's single result), as graphql-js `execute` would. */
  execute(rawArgs: ExecutionArgs): Result {
    const args = this.hideSuggestions ? { ...rawArgs, hideSuggestions: true } : rawArgs;
    const compiled = this.compile(args);
    if (!compiled) return execute(args);
    const result = compiled.query(args.rootValue, args.contextValue, args.variableValues);
    return result instanceof Promise ? result.then((r) => this.orReference(r, args)) : this.orReference(result, args);
  }

  /**
   * Starts a subscription as graphql-js `subscribe` does (graphql-js creates the source stream, so the field's
   * `subscribe` gets its arguments as graphql-js gives them: graphql-jit 0.8 passes the operation's variables
   * instead), then executes each event's payload compiled.
   *
   * `shareKey` names what, besides the document, operation and variables, a result may depend on (the viewer's
   * role): a payload a shared live source gave every subscriber of its key (a campaign's KPIs) is then executed once
   * per document, operation, variables and `shareKey`, and that result goes to each such subscriber (issue 22: an
   * execution per subscriber was most of a 10k fan-out's CPU). Without it every payload is executed per subscriber.
   */
  async subscribe(rawArgs: ExecutionArgs, shareKey?: string): SubscriptionResult {
    const args = this.hideSuggestions ? { ...rawArgs, hideSuggestions: true } : rawArgs;
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const variant = shareKey === undefined ? undefined : JSON.stringify([shareKey, args.operationName ?? '', args.variableValues ?? {}]);
    return mapAsyncIterator(stream, (payload) =>
      variant !== undefined && isSharedLiveValue(payload)
        ? this.executeShared(payload as object, variant, { ...args, rootValue: payload })
        : this.execute({ ...args, rootValue: payload }),
    );
  }

  private executeShared(payload: object, variant: string, args: ExecutionArgs): Result {
    let byDocument = this.sharedResults.get(payload);
    if (!byDocument) this.sharedResults.set(payload, (byDocument = new WeakMap()));
    let byVariant = byDocument.get(args.document);
    if (!byVariant) byDocument.set(args.document, (byVariant = new Map()));
    let result = byVariant.get(variant);
    if (!result) byVariant.set(variant, (result = this.execute(args)));
    return result;
  }

  private compile(args: ExecutionArgs): CompiledQuery | null {
    let byName = this.compiled.get(args.document);
    if (!byName) this.compiled.set(args.document, (byName = new Map()));
    const name = args.operationName ?? '';
    let compiled = byName.get(name);
    if (compiled === undefined) {
      compiled = null;
      try {
        const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
        if (isCompiledQuery(result)) compiled = result;
      } catch {
        // A document the compiler chokes on is graphql-js's to run (and to report on).
      }
      byName.set(name, compiled);
      this.onCompile(compiled !== null);
    }
    return compiled;
  }

  /** A result without `data` is a request error (nothing was executed): graphql-js reports it in its own words. */
  private orReference(result: ExecutionResult, args: ExecutionArgs): Result {
    if (!('data' in result)) return execute(args);
    return result.errors?.some((e) => !e.extensions) ? { ...result, errors: result.errors.map(withExtensions) } : result;
  }
}

/**
 * graphql-jit leaves `extensions` undefined on the error of a resolver that threw an error without extensions (a
 * driver's error: Postgres or Redis unreachable), where graphql-js gives an empty object; Apollo reads
 * `extensions.code` of every error and, failing, answers an opaque INTERNAL_SERVER_ERROR without calling formatError.
 */
function withExtensions(error: GraphQLError): GraphQLError {
  if (error.extensions) return error;
  const copy = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined });
  // graphql-js derives locations from AST nodes, which graphql-jit no longer has: keep the ones it computed.
  if (error.locations) Object.defineProperty(copy, 'locations', { value: error.locations, enumerable: true, writable: true, configurable: true });
  return copy;
}

/**
 * `iterable` with `fn` applied to each value, as graphql-js maps a subscription's events (its mapAsyncIterator is
 * not exported): `return()` reaches the source at once, also while a `next()` is pending, so that unsubscribing
 * releases the source stream without waiting for its next event.
 */
function mapAsyncIterator<T, U>(iterable: AsyncIterable<T>, fn: (value: T) => U | Promise<U>): AsyncIterableIterator<U> {
  const iterator = iterable[Symbol.asyncIterator]();
  const mapResult = async (result: IteratorResult<T>): Promise<IteratorResult<U>> => {
    if (result.done) return result;
    try {
      return { value: await fn(result.value), done: false };
    } catch (err) {
      await iterator.return?.().catch(() => undefined);
      throw err;
    }
  };
  return {
    next: async () => mapResult(await iterator.next()),
    return: async () => (iterator.return ? mapResult(await iterator.return()) : { value: undefined, done: true }),
    throw: async (err?: unknown) => {
      if (iterator.throw) return mapResult(await iterator.throw(err));
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Apollo Server's way to run operations with another engine: the gateway interface (an executor for a fixed
 * schema, no schema updates). Apollo still parses, validates, applies the plugins and formats errors.
 */
export function compiledGateway<TContext extends BaseContext>(
  schema: GraphQLSchema,
  execution: CompiledExecution,
): ApolloServerOptionsWithGateway<TContext>['gateway'] {
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async load() {
      return {
        executor: async (rc) =>
          execution.execute({
            schema,
            document: rc.document,
            contextValue: rc.context,
            variableValues: rc.request.variables,
            operationName: rc.operationName,
          }),
      };
    },
    async stop() {},
  };
}
