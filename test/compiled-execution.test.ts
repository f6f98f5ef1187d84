// Compiled execution (graphql-jit) against graphql-js, the reference: the same results and errors for the
// shapes of operation the platform serves, compiled once per document; and over the real transports, that a
// variable which does not coerce still gets graphql-js's error (BAD_USER_INPUT, naming the variable and path).
import { execute, GraphQLError, parse, subscribe, type ExecutionResult } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledExecution } from '../src/graphql/execution';
import { ForbiddenError } from '../src/errors';
import { collect, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

const schema = makeExecutableSchema({
  typeDefs: `
    scalar DateTime
    enum Kind { VIEW CLICK }
    input Item { id: ID!, kind: Kind!, quantity: Int, at: DateTime, tags: [String!] }
    interface Named { name: String! }
    type Product implements Named { id: ID!, name: String!, price: Float }
    type Campaign implements Named { id: ID!, name: String!, budget: Int! }
    type Echo { count: Int!, items: [EchoItem!]! }
    type EchoItem { id: ID!, kind: Kind!, quantity: Int!, at: DateTime, tags: [String!] }
    type Query {
      product(id: ID!): Product
      named: [Named!]!
      forbidden: Product
      broken: Product!
      wrapper: Wrapper
    }
    type Wrapper { broken: Product!, fine: String }
    type Mutation { record(items: [Item!]!): Echo! }
    type Subscription { ticks(n: Int!): Echo! }
  `,
  resolvers: {
    DateTime: {
      serialize: (v: unknown) => (v instanceof Date ? v.toISOString() : v),
      parseValue: (v: unknown) => {
        if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new TypeError('DateTime must be an ISO-8601 string');
        return new Date(v);
      },
    },
    Named: { __resolveType: (o: { budget?: number }) => (o.budget === undefined ? 'Product' : 'Campaign') },
    Query: {
      product: (_: unknown, { id }: { id: string }) => (id === 'none' ? null : { id, name: `Product ${id}`, price: 9.5 }),
      named: () => [{ id: 'p1', name: 'A product', price: 1 }, { id: 'c1', name: 'A campaign', budget: 100 }],
      forbidden: () => {
        throw new ForbiddenError('not for you');
      },
      broken: () => null,
      wrapper: () => ({ fine: 'yes' }),
    },
    Wrapper: { broken: () => null },
    Mutation: {
      record: async (_: unknown, { items }: { items: Array<{ id: string; kind: string; quantity?: number; at?: Date; tags?: string[] }> }) => ({
        count: items.length,
        items: items.map((i) => ({ ...i, quantity: i.quantity ?? 1 })),
      }),
    },
    Subscription: {
      ticks: {
        subscribe: (_: unknown, { n }: { n: number }) => {
          if (n < 0) throw new ForbiddenError('no ticks for you');
          return (async function* () {
            for (let i = 1; i <= n; i++) yield { ticks: { count: i, items: [] } };
          })();
        },
      },
    },
  },
});

/** Runs an operation with both engines and returns both results, as JSON (what a client sees). */
async function both(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  const compiled = new CompiledExecution();
  const args = { schema, document, variableValues: variables, contextValue: {} };
  const json = (r: ExecutionResult) => JSON.parse(JSON.stringify(r));
  return { compiled: json(await compiled.execute(args)), reference: json(await execute(args)), compiledRaw: await compiled.execute(args) };
}

describe('CompiledExecution', () => {
  it('answers as graphql-js does: fields, aliases, fragments, abstract types, input coercion, defaults', async () => {
    const cases: Array<[string, Record<string, unknown>?]> = [
      [`{ product(id: "p1") { id name price } none: product(id: "none") { id } }`],
      [`query($id: ID!) { a: product(id: $id) { ...F } b: product(id: "x") { ...F } } fragment F on Product { id name }`, { id: 'p7' }],
      [`{ named { __typename name ... on Campaign { budget } ... on Product { price } } }`],
      [`mutation($items: [Item!]!) { record(items: $items) { count items { id kind quantity at tags } } }`, {
        items: [{ id: 'e1', kind: 'VIEW' }, { id: 2, kind: 'CLICK', quantity: 3, at: '2026-01-02T03:04:05.000Z', tags: 'one' }],
      }],
    ];
    for (const [query, variables] of cases) {
      const { compiled, reference } = await both(query, variables);
      expect(reference.errors).toBeUndefined();
      expect(compiled).toEqual(reference);
    }
  });

  it('reports errors as graphql-js does: thrown domain errors keep the original, nulls bubble to the nearest nullable field', async () => {
    const forbidden = await both(`{ forbidden { id } product(id: "p1") { id } }`);
    expect(forbidden.compiled).toEqual(forbidden.reference);
    const error = forbidden.compiledRaw.errors![0]!;
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.originalError).toBeInstanceOf(ForbiddenError);
    expect(error.path).toEqual(['forbidden']);

    const bubbled = await both(`{ wrapper { fine broken { id } } product(id: "p2") { id } }`);
    expect(bubbled.compiled.data).toEqual({ wrapper: null, product: { id: 'p2' } });
    expect(bubbled.compiled).toEqual(bubbled.reference);
    const root = await both(`{ broken { id } }`);
    expect(root.compiled.data).toBeNull();
    expect(root.compiled).toEqual(root.reference);
  });

  it("answers variables that do not coerce with graphql-js's own errors (variable name, path, reason)", async () => {
    const query = `mutation($items: [Item!]!) { record(items: $items) { count } }`;
    for (const variables of [
      { items: [{ id: 'e1', kind: 'NOPE' }] },
      { items: [{ id: 'e1', kind: 'VIEW', at: 'yesterday' }] },
      { items: [{ kind: 'VIEW' }] },
      {},
    ]) {
      const { compiled, reference } = await both(query, variables);
      expect(reference.errors?.length).toBeGreaterThan(0);
      expect(compiled).toEqual(reference);
    }
    const { compiled } = await both(query, { items: [{ id: 'e1', kind: 'NOPE' }] });
    expect(compiled.errors[0].message).toMatch(/^Variable "\$items" got invalid value "NOPE" at "items\[0\]\.kind"/);
  });

  it('compiles a document once and runs subscriptions compiled, errors included', async () => {
    const compiled = new CompiledExecution();
    // The variable is named unlike the argument: the field's subscribe must get its arguments, not the variables.
    const document = parse(`subscription($count: Int!) { ticks(n: $count) { count } }`);
    const results: unknown[] = [];
    const stream = await compiled.subscribe({ schema, document, variableValues: { count: 3 } });
    for await (const r of stream as AsyncIterable<ExecutionResult>) results.push(r);
    const reference: unknown[] = [];
    for await (const r of (await subscribe({ schema, document, variableValues: { count: 3 } })) as AsyncIterable<ExecutionResult>) reference.push(r);
    expect(results).toEqual([{ data: { ticks: { count: 1 } } }, { data: { ticks: { count: 2 } } }, { data: { ticks: { count: 3 } } }]);
    expect(results).toEqual(reference);

    const refused = (await compiled.subscribe({ schema, document, variableValues: { count: -1 } })) as ExecutionResult;
    expect(refused.errors?.[0]?.originalError).toBeInstanceOf(ForbiddenError);
    expect(JSON.parse(JSON.stringify(refused))).toEqual(JSON.parse(JSON.stringify(await subscribe({ schema, document, variableValues: { count: -1 } }))));
    const badVariable = (await compiled.subscribe({ schema, document, variableValues: { count: 'many' } })) as ExecutionResult;
    expect(badVariable.errors?.[0]?.message).toMatch(/^Variable "\$count" got invalid value "many"/);

    // Each event ran compiled: the subscription's document has its compiled form.
    const internalsOf = (c: CompiledExecution) => c as unknown as { compiled: WeakMap<object, Map<string, unknown>> };
    expect(internalsOf(compiled).compiled.get(document)?.get('')).toBeTruthy();

    // Compiled once per document: a second run of the same document reuses the compiled function.
    const query = parse(`{ product(id: "p1") { id } }`);
    const internals = internalsOf(compiled);
    await compiled.execute({ schema, document: query });
    const first = internals.compiled.get(query)!.get('');
    await compiled.execute({ schema, document: query });
    expect(first).toBeTruthy();
    expect(internals.compiled.get(query)!.get('')).toBe(first);
  });

  it('releases the source stream on unsubscribe while it waits for an event', async () => {
    let released = false;
    const quiet = makeExecutableSchema({
      typeDefs: `type Query { x: Int } type Subscription { never: Int }`,
      resolvers: {
        Subscription: {
          never: {
            subscribe: () => ({
              [Symbol.asyncIterator]() {
                return {
                  next: () => new Promise<IteratorResult<unknown>>(() => undefined),
                  return: async () => {
                    released = true;
                    return { value: undefined, done: true };
                  },
                };
              },
            }),
          },
        },
      },
    });
    const stream = (await new CompiledExecution().subscribe({ schema: quiet, document: parse(`subscription { never }`) })) as AsyncIterableIterator<ExecutionResult>;
    void stream.next();
    await stream.return!();
    expect(released).toBe(true);
  });
});

describe('compiled execution over HTTP and WebSocket', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers a variable that does not coerce with BAD_USER_INPUT and HTTP 400, naming the variable and the path', async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.token('service')}` },
      body: JSON.stringify({
        query: `mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`,
        variables: { e: [{ id: uniqueId('e'), type: 'LOOK', userId: 'u1', productId: 'p1' }] },
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0]!.message).toMatch(/^Variable "\$e" got invalid value "LOOK" at "e\[0\]\.type"/);
  });

  it('counts compiled operations in /metrics', async () => {
    const compiledCount = async () => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      return Number(/^graphql_compiled_documents_total\{outcome="compiled"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const before = await compiledCount();
    // A document this platform has not seen yet (its alias makes it new).
    const alias = `a${uniqueId('x').replace(/-/g, '')}`;
    const res = await t.gql(`{ ${alias}: __typename }`);
    expect(res.data).toEqual({ [alias]: 'Query' });
    expect(await compiledCount()).toBe(before + 1);
    await t.gql(`{ ${alias}: __typename }`);
    expect(await compiledCount()).toBe(before + 1);
  });

  it('runs subscriptions compiled over graphql-ws, with access errors coded as before', async () => {
    const shopper = uniqueId('shopper');
    const client = t.ws(await t.token('shopper', shopper));
    const own = collect(client, `subscription($u: ID!) { recommendationsUpdated(userId: $u) { userId model items { score } } }`, { u: shopper });
    const [first] = await own.until((r) => r.length >= 1);
    expect(first!.errors).toBeUndefined();
    expect(first!.data.recommendationsUpdated.userId).toBe(shopper);
    const other = collect(client, `subscription($u: ID!) { recommendationsUpdated(userId: $u) { userId } }`, { u: 'someone-else' });
    const [refused] = await other.until(() => other.completed);
    expect(refused!.errors?.[0]).toMatchObject({ path: ['recommendationsUpdated'], extensions: { code: 'FORBIDDEN' } });
    expect(refused!.errors?.[0]?.message).toMatch(/^A shopper may act only as itself/);
    own.unsubscribe();
    other.unsubscribe();
  });
});
